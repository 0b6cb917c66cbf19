from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "zhiben.monitoring"
    label = "monitoring"
    verbose_name = "监测预警"

    def ready(self) -> None:
        from . import enterprise_file, events, indicators, origins, steps, tasks, workbench  # noqa: F401

        indicators.register_all()  # connects 监测预警覆盖率, registers 误报率 and 平均确认用时
        workbench.register()  # its card on the 待办 workbench
        enterprise_file.register()  # its section of the unit's file (一企一档)
        origins.register()  # the alarm a hazard came from, on the hazard page
