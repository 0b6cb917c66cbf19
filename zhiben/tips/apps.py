from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "zhiben.tips"
    label = "tips"
    verbose_name = "举报奖励"

    def ready(self) -> None:
        from . import events, steps  # noqa: F401  (the audit events of the channel and its steps)
