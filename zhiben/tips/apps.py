from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "zhiben.tips"
    label = "tips"
    verbose_name = "举报奖励"

    def ready(self) -> None:
        from . import events, reward_steps, reward_tasks, steps, vault_steps  # noqa: F401  (the audit events of the channel and its steps)  # noqa: F401  (rewards and the vault)
