from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "zhiben.registry"
    label = "registry"
    verbose_name = "基础数据"

    def ready(self) -> None:
        from . import events  # noqa: F401
