from django.core.management.base import BaseCommand

from zhiben.registry.reference import load_reference_data


class Command(BaseCommand):
    help = "加载基础数据（行政区划、行业领域、监管部门、三管三必须）；重复运行不会重复添加。"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        created = load_reference_data()
        self.stdout.write("基础数据：" + "，".join(f"{k} +{v}" for k, v in created.items()))
