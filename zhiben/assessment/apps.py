from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "zhiben.assessment"
    label = "assessment"
    verbose_name = "季度考核"

    def ready(self) -> None:
        from . import events, steps, workbench  # noqa: F401  (the audit events, the steps, the 待办 card)

        workbench.register()
