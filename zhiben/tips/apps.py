from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "zhiben.tips"
    label = "tips"
    verbose_name = "举报奖励"

    def ready(self) -> None:
        from . import events, steps  # noqa: F401  (the audit events of the channel and its steps)
        from . import reward_steps, reward_tasks, vault_steps  # noqa: F401  (rewards and the vault)
