from django.apps import AppConfig


class AccidentsConfig(AppConfig):
    name = "zhiben.accidents"
    label = "accidents"
    verbose_name = "生产安全事故"

    def ready(self) -> None:
        from . import enterprise_file, events, indicators, steps, workbench  # noqa: F401

        indicators.register_indicators()
        workbench.register()
        enterprise_file.register()
