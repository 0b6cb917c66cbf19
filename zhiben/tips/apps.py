from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "zhiben.tips"
    label = "tips"
    verbose_name = "举报奖励"

    def ready(self) -> None:
        from . import events, reward_steps, reward_tasks, steps, vault_steps  # noqa: F401  (events, steps, jobs)
        from .enterprise_file import register as register_handling

        register_handling()  # the handling loop: its services, events, jobs and 一企一档 section
        from .internal_file import register as register_internal_file  # 内部举报: flow, 一企一档 section

        register_internal_file()
        from .indicators import connect_registry  # the registry's tips indicators (issue 13), if installed

        connect_registry()
        from .workbench import register as register_workbench  # its card on the 待办 workbench

        register_workbench()
