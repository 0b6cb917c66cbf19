from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhiben.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self) -> None:
        from . import checks, events  # noqa: F401
