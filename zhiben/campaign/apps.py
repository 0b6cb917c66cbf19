from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "zhiben.campaign"
    label = "campaign"
    verbose_name = "治本攻坚"

    def ready(self) -> None:
        from . import events, steps, tasks, workbench  # noqa: F401  (the audit events, the task steps, the daily job)
        from .indicators import connect_registry  # the registers' indicators, once the models are ready

        connect_registry()
        workbench.register()  # its card on the 待办 workbench
