from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "zhiben.oversight"
    label = "oversight"
    verbose_name = "考核督办"

    def ready(self) -> None:
        from . import documents, events, steps, workbench  # noqa: F401  (audit events, steps, 公文 access)
        from .indicators import register_indicators

        register_indicators()  # oversight.duty_completion in the indicator registry
        workbench.register()  # its card on the 待办 workbench
