from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhiben.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from . import events, workbench  # noqa: F401

        workbench.register()  # its card on the 待办 workbench
