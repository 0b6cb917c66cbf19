from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "zhiben.standards"
    label = "standards"
    verbose_name = "判定标准"

    def ready(self) -> None:
        from . import events  # noqa: F401
