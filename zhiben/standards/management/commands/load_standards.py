from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhiben.standards.reference import load_standards


class Command(BaseCommand):
    help = "加载重大事故隐患判定标准（standards/data/*.json）；重复运行不会重复添加，不覆盖区安委办修改过的条款。"

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_standards()
        missing = result.pop("missing_industries")
        self.stdout.write("判定标准：" + "，".join(f"{k} {v}" for k, v in result.items()))
        if missing:
            self.stdout.write(
                self.style.WARNING("未找到的行业领域代码（请先运行 load_reference）：" + "、".join(missing))
            )
