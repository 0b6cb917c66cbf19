from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "zhiben.inspections"
    label = "inspections"
    verbose_name = "监督检查"

    def ready(self) -> None:
        from . import enterprise_file, events, history, tasks, workbench  # noqa: F401  (history describes the audit events)

        enterprise_file.register()  # its sections of the unit's file (一企一档)
        workbench.register()  # its cards on the 待办 workbench
