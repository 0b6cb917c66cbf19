from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "zhiben.hazards"
    label = "hazards"
    verbose_name = "隐患排查治理"

    def ready(self) -> None:
        from . import enterprise_file, escalation, events, steps, tasks, workbench  # noqa: F401  (escalation registers document access; steps their events)

        enterprise_file.register()  # its section of the unit's file (一企一档)
        workbench.register()  # its card on the 待办 workbench
