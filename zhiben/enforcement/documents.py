"""The documents a case issues (责令限期整改指令书, 行政处罚决定书) and the 提请关闭的建议, through
core.documents.issue_document; and who may download them (whoever may see the case or the proposal).

Each supervising department issues in its own name with its own 文号 代字, so its templates are
`enforcement_order_<department code>` / `enforcement_decision_<department code>`; a department without its
own falls back to the generic `enforcement_order` / `enforcement_decision`, issued in that department's full
name (屈原管理区教育局) with its 代字 in the number (（屈教）罚〔2026〕1号). The 决定书 and 指令书 are 执法文书
(template kind): the body's full name over the title, no red header and no 印发 line.
"""

from __future__ import annotations

from typing import Any

from zhiben.core.documents import (
    chinese_date,
    clause_text,
    issue_document,
    register_document_access,
    sentence,
)
from zhiben.core.models import DocumentTemplate, OfficialDocument

from .choices import MeasureKind
from .models import Case, CaseMeasure, ClosureProposal, yuan

# 责令限期整改: 安全生产法 Art 65 ¶1 (二) 违法行为要求限期改正, (三) 事故隐患责令排除.
ORDER_BASIS = "《中华人民共和国安全生产法》第六十五条第一款第（二）项、第（三）项"


# A 行政处罚决定书 states the facts and the article it applies (行政处罚法 Art 59 ¶1 (二)(三)); without them it
# is not issued.
DECISION_REQUIRES = {"violation": "违法事实", "penalty_basis": "处罚依据"}
ORDER_REQUIRES = {"violation": "违法事实", "order_basis": "责令整改依据"}


def _can_view_case(user: Any, object_id: str) -> bool:
    return object_id.isdigit() and Case.objects.restrict(user, "view").filter(pk=int(object_id)).exists()


def _can_view_proposal(user: Any, object_id: str) -> bool:
    return (
        object_id.isdigit()
        and ClosureProposal.objects.restrict(user, "view").filter(pk=int(object_id)).exists()
    )


register_document_access("enforcement.case", _can_view_case)
register_document_access("enforcement.closureproposal", _can_view_proposal)


def template_code(base: str, case: Case) -> str:
    """The department's own template when it has one, else the generic one."""
    own = f"{base}_{case.department.code}"
    return own if DocumentTemplate.objects.filter(code=own).exists() else base


def issuing_body(code: str, case: Case) -> tuple[str, str]:
    """(issuer, 代字): a generic template names no body, so the case's department issues it, in full and
    with its 代字; the department's own template names it already ("", "")."""
    if code.endswith(f"_{case.department.code}"):
        return "", ""
    return case.department.official_name, case.department.document_code


def measure_text(m: CaseMeasure) -> str:
    """One measure as a penalty decision states it."""
    kind = m.kind
    if kind == MeasureKind.FINE and m.amount is not None:
        return f"罚款人民币{yuan(m.amount)}。"
    if kind == MeasureKind.DAILY_FINE and m.daily_amount is not None:
        start = chinese_date(m.start_on) if m.start_on else ""
        return f"按日连续处罚：自{start}起，按照原处罚数额每日{yuan(m.daily_amount)}连续处罚，至改正之日止。"
    if kind == MeasureKind.SUSPEND:
        period = ""
        if m.start_on and m.end_on:
            period = f"（{chinese_date(m.start_on)}至{chinese_date(m.end_on)}）"
        elif m.start_on:
            period = f"（自{chinese_date(m.start_on)}起）"
        return f"责令停产停业整顿{period}{('：' + m.details) if m.details else ''}。".replace("。。", "。")
    if kind == MeasureKind.ORDER_RECTIFY:
        deadline = f"于{chinese_date(m.end_on)}前" if m.end_on else ""
        return f"责令{deadline}改正：{m.details}".rstrip("。") + "。"
    label = str(m.get_kind_display())
    return f"{label}：{m.details}".rstrip("。") + "。" if m.details else f"{label}。"


def subject_context(case: Case) -> dict[str, Any]:
    ent = case.enterprise
    if ent is not None:
        return {
            "name": ent.name,
            "uscc": ent.uscc or "",
            "address": ent.address,
            "principal_name": ent.principal_name,
        }
    op = case.operation
    return {
        "name": case.subject_name,
        "uscc": op.uscc if op is not None else "",
        "address": op.address if op is not None else "",
        "principal_name": op.contact_name if op is not None else "",
    }


def case_context(case: Case) -> dict[str, Any]:
    hazard = case.hazard
    rule = case.discretion_rule
    return {
        "subject": subject_context(case),
        "case": {"code": case.code, "filed_on": chinese_date(case.filed_on)},
        "department": {"name": case.department.official_name},
        "violation": sentence(case.violation),
        "hazard": {"code": hazard.code, "level": hazard.get_level_display()} if hazard is not None else {},
        # The articles, as parts the template closes itself ("违反了{{ legal_basis }}的规定。").
        "legal_basis": clause_text(rule.legal_basis) if rule is not None else "",
        "penalty_basis": clause_text(rule.penalty_basis) if rule is not None else "",
        "circumstance": rule.get_circumstance_display() if rule is not None else "",
    }


def issue_order(case: Case, measure: CaseMeasure, actor: Any) -> OfficialDocument:
    """责令限期整改指令书 for one corrective order."""
    context = {
        **case_context(case),
        "order_basis": ORDER_BASIS,
        "deadline": chinese_date(measure.end_on),
        "measure": {"details": measure.details},
    }
    code = template_code("enforcement_order", case)
    issuer, agency_code = issuing_body(code, case)
    return issue_document(
        code,
        context=context,
        actor=actor,
        obj=case,
        on=measure.decided_on,
        defer_files=True,
        required=ORDER_REQUIRES,
        issuer=issuer,
        agency_code=agency_code,
    )


def issue_decision(case: Case, measures: list[CaseMeasure], actor: Any) -> OfficialDocument:
    """行政处罚决定书 at 决定: every measure the decision takes, in the order they were proposed."""
    context = {
        **case_context(case),
        "notified_on": chinese_date(case.notified_on),
        "statement": sentence(case.statement),
        "measures": [measure_text(m) for m in measures],
        "has_fine": any(m.kind == MeasureKind.FINE for m in measures),
    }
    code = template_code("enforcement_decision", case)
    issuer, agency_code = issuing_body(code, case)
    return issue_document(
        code,
        context=context,
        actor=actor,
        obj=case,
        on=case.decided_on,
        defer_files=True,
        required=DECISION_REQUIRES,
        issuer=issuer,
        agency_code=agency_code,
    )


def issue_closure(proposal: ClosureProposal, cases: list[Case], actor: Any, on: Any) -> OfficialDocument:
    """提请关闭的建议 (安全生产法 Art 113 (一)) from the committee office to the district government."""
    ent = proposal.enterprise
    departments = sorted({c.department.name for c in cases})
    context = {
        "enterprise": {"name": ent.name, "uscc": ent.uscc or "", "address": ent.address},
        "rule": proposal.rule,
        "cases": [
            {
                "decided_on": chinese_date(c.decided_on),
                "department": c.department.name,
                "code": c.code,
                "number": c.decision_document.number if c.decision_document is not None else "",
                "measures": "；".join(
                    measure_text(m).rstrip("。") for m in c.measures.all() if m.decided_on == c.decided_on
                ),
            }
            for c in cases
        ],
        "note": proposal.note,
        "departments": "，".join(departments),
    }
    return issue_document(
        "enforcement_closure", context=context, actor=actor, obj=proposal, on=on, defer_files=True
    )


def documents_of(case: Case) -> list[OfficialDocument]:
    """Every document issued about the case, oldest first."""
    return list(
        OfficialDocument.objects.filter(object_type="enforcement.case", object_id=str(case.pk))
        .select_related("template")
        .order_by("issued_at", "pk")
    )
