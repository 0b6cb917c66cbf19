from django.apps import AppConfig


class SourceControlConfig(AppConfig):
    name = "zhiben.sourcecontrol"
    label = "sourcecontrol"
    verbose_name = "源头管控"

    def ready(self) -> None:
        from . import enterprise_file, events, indicators, steps, tasks, workbench  # noqa: F401

        indicators.register_indicators()  # 三同时、安全设计诊断、淘汰；标准化 agrees with the registry's grade
        workbench.register()  # its card on the 待办 workbench
        enterprise_file.register()  # its section of the unit's file (一企一档)
