from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhiben.supervision"
    label = "supervision"
    verbose_name = "督办交办"

    def ready(self) -> None:
        from . import documents, enterprise_file, events, indicators, steps, tasks, workbench  # noqa: F401

        indicators.register_indicators()  # 督办按期办结率, 逾期督办事项数
        workbench.register()  # its card on the 待办 workbench
        enterprise_file.register()  # its section of the unit's file (一企一档)
