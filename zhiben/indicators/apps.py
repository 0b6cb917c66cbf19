from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "zhiben.indicators"
    label = "indicators"
    verbose_name = "指标库"

    def ready(self) -> None:
        from . import events, sources, tasks  # noqa: F401  (the indicators register themselves; the snapshot job)
