from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "zhiben.inspections"
    label = "inspections"
    verbose_name = "监督检查"

    def ready(self) -> None:
        from . import events, history, tasks  # noqa: F401
