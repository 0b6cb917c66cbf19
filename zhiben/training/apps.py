from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "zhiben.training"
    label = "training"
    verbose_name = "培训演练"

    def ready(self) -> None:
        from . import enterprise_file, events, indicators, steps, tasks, workbench  # noqa: F401
        from .services import sessions  # noqa: F401  (registers the certificates' document access)

        indicators.register_indicators()  # training.* figures
        workbench.register()  # 待办: 应训未训, 证书到期, 应练未练, 预案待评估
        enterprise_file.register()  # 培训演练与持证上岗 in the unit's file (一企一档)
