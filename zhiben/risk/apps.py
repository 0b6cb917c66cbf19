from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "zhiben.risk"
    label = "risk"
    verbose_name = "双重预防"

    def ready(self) -> None:
        from . import enterprise_file, events, indicators, origins, steps, workbench  # noqa: F401
        from .draw_weight import register as register_draw_weight

        indicators.register_indicators()  # 一会三卡覆盖率 (the placeholder), 重大风险点数, 风险辨识覆盖率
        workbench.register()  # 待评估/待重新评估 risk points, 动工卡 待确认
        enterprise_file.register()  # 风险分级与一会三卡 in the unit's file (一企一档)
        origins.register()  # the patrol a hazard came from, on the hazard page
        register_draw_weight()  # a 重大 risk point raises the unit's weight in a weighted 双随机 draw
