from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhiben.core"
    label = "core"
    verbose_name = "平台框架"

    def ready(self) -> None:
        from . import checks, events  # noqa: F401  (register system checks and core event types)
