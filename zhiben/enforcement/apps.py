from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "zhiben.enforcement"
    label = "enforcement"
    verbose_name = "执法处罚"
