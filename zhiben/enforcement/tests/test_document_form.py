"""The 执法文书 of a case are issued by its department, named in full: a department without its own template
issues the generic 指令书 under its full name and with its 代字 in the number, never as "安全生产执法部门"."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from typing import Any

import pytest

from zhiben.core.models import DocumentKind, DocumentTemplate
from zhiben.enforcement import services
from zhiben.enforcement.choices import MeasureKind
from zhiben.registry.models import Department

from .case_helpers import file

pytestmark = pytest.mark.django_db


def test_a_department_without_its_own_template_issues_the_generic_order_in_its_full_name(
    world: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    DocumentTemplate.objects.filter(code="enforcement_order_emergency").delete()  # as 教育局 has none
    case = file(world)

    with django_capture_on_commit_callbacks(execute=True):  # the files are rendered after commit
        measure = services.add_measure(
            case,
            actor=world.yingji,
            kind=MeasureKind.ORDER_RECTIFY,
            end_on=dt.date(2025, 3, 17),
            details="安装报警装置",
        )

    document = measure.document
    department = Department.objects.get(code="emergency")
    assert (department.full_name, department.document_code) == ("屈原管理区应急管理局", "屈应急")
    assert (
        document.template.code == "enforcement_order" and document.template.kind == DocumentKind.ENFORCEMENT
    )
    assert document.number.startswith("（屈应急）责改〔")
    document.refresh_from_db()
    text = subprocess.run(
        ["pdftotext", "-layout", document.pdf.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [line for raw in text.splitlines() if (line := re.sub(r"\s+", "", raw))]
    assert lines[:3] == ["屈原管理区应急管理局", "责令限期整改指令书", document.number]
    assert "屈原管理区安全生产执法部门" not in text and "印发" not in text
    assert any(line.startswith("被检查单位负责人（签名）：") for line in lines)
