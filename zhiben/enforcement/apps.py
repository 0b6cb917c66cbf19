from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "zhiben.enforcement"
    label = "enforcement"
    verbose_name = "执法处罚"

    def ready(self) -> None:
        from . import documents, enterprise_file, events, steps, tasks, workbench  # noqa: F401  (document access; the steps' events)

        enterprise_file.register()  # its section of the unit's file (一企一档)
        workbench.register()  # its card on the 待办 workbench
