from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "zhiben.hazards"
    label = "hazards"
    verbose_name = "隐患排查治理"

    def ready(self) -> None:
        from zhiben.core.backup import restored  # apps are ready: models may be imported now

        from . import enterprise_file, escalation, events, steps, tasks, workbench  # noqa: F401  (escalation registers document access; steps their events)
        from .tally import forget_after_restore  # a restore drops the statistics snapshots

        restored.connect(forget_after_restore, dispatch_uid="hazards.forget_snapshots")
        enterprise_file.register()  # its section of the unit's file (一企一档)
        workbench.register()  # its card on the 待办 workbench
