"""Forms of the inspection-record pages (检查任务, 现场检查, 笔录) and of the 执法检查人员名录库."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.accounts.models import User
from zhiben.accounts.roles import Role
from zhiben.core.bounds import BoundedForm
from zhiben.core.widgets import FastSelect, pick_from
from zhiben.registry.models import Department, Enterprise
from zhiben.standards.models import Checklist, Clause
from zhiben.standards.queries import citable_clauses, clause_label

from ..choices import ENFORCEMENT_MODES, Answer, ExceptionStatus, FindingHandling, InspectorKind, Mode, Origin
from ..models import CapException, Inspector

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEVELS = [("general", _("一般")), ("major", _("重大"))]
CHECKS = forms.CheckboxSelectMultiple(
    attrs={"class": "form-check-input"}
)  # shown by standards/includes/checks.html


def _select(qs: Any, label: Any = str, blank: bool = True) -> FastSelect:
    return FastSelect(choices=([("", "—")] if blank else []) + [(str(o.pk), label(o)) for o in qs])


def enterprise_widget(field: forms.ModelChoiceField, qs: QuerySet[Enterprise]) -> None:
    """The units the user may choose, as the one record picker (core.widgets.pick_from)."""
    pick_from(field, qs)


def clause_select(qs: QuerySet[Clause] | None = None) -> FastSelect:
    qs = citable_clauses() if qs is None else qs
    return _select(qs, lambda c: clause_label(c, width=40))


def department_label(d: Department) -> str:
    return d.short_name or d.name


class InspectionCreateForm(BoundedForm):
    """创建检查任务: the unit, the way it is inspected, the team, and each department's checklist."""

    department = forms.ModelChoiceField(label=_("牵头部门"), queryset=Department.objects.none())
    mode = forms.ChoiceField(
        label=_("检查方式"),
        choices=[(v, label) for v, label in Mode.choices if v in ENFORCEMENT_MODES],
        initial=Mode.ROUTINE,
    )
    origin = forms.ChoiceField(label=_("检查来源"), choices=Origin.choices, initial=Origin.OTHER)
    enterprise = forms.ModelChoiceField(label=_("被检查单位"), queryset=Enterprise.objects.none())
    planned_on = forms.DateField(label=_("计划检查日期"), widget=DATE)
    subject = forms.CharField(label=_("检查事项"), max_length=200, required=False)
    lead_officer = forms.ModelChoiceField(
        label=_("主办执法人员"),
        queryset=Inspector.objects.none(),
        help_text=_("须持有效行政执法证；主办人员为牵头部门人员"),
    )
    other_officers = forms.ModelMultipleChoiceField(
        label=_("协办执法人员"),
        queryset=Inspector.objects.none(),
        widget=CHECKS,
        help_text=_("执法人员不得少于两人（行政处罚法第四十二条）"),
    )
    assistants = forms.ModelMultipleChoiceField(
        label=_("辅助检查人员（专家/技术人员）"),
        queryset=Inspector.objects.none(),
        widget=CHECKS,
        required=False,
        help_text=_("专家、技术检查员协助检查，不作为执法主体"),
    )
    joint_departments = forms.ModelMultipleChoiceField(
        label=_("联合检查部门"),
        queryset=Department.objects.none(),
        widget=CHECKS,
        required=False,
        help_text=_("联合检查：多个部门合并为一次检查，发现问题分别进入各部门台账"),
    )
    checklist = forms.ModelChoiceField(
        label=_("牵头部门检查表"),
        queryset=Checklist.objects.none(),
        required=False,
        help_text=_("不选则按单位的类型和行业选用本部门对应的检查表，没有时用本部门的通用检查表"),
    )
    joint_checklists = forms.ModelMultipleChoiceField(
        label=_("联合检查部门的检查表"),
        queryset=Checklist.objects.none(),
        widget=CHECKS,
        required=False,
        help_text=_("每个联合检查部门可选一张本部门的检查表"),
    )
    host_department = forms.ModelChoiceField(
        label=_("属地办案部门"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("异地交叉检查：检查组提出处理意见，由属地部门出具文书并办案"),
    )
    cap_exception = forms.ModelChoiceField(
        label=_("超频次检查审批"),
        queryset=CapException.objects.none(),
        required=False,
        help_text=_("单位已达年度检查频次上限时，选择已批准的超频次检查申请"),
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        departments: QuerySet[Department],
        enterprises: QuerySet[Enterprise],
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        f = self.fields
        f["department"].queryset = departments
        f["department"].widget = _select(departments, department_label, blank=False)
        enterprise_widget(f["enterprise"], enterprises)
        officers = (
            Inspector.objects.unrestricted("joint visits: any department's officers")
            .filter(active=True, kind=InspectorKind.OFFICER)
            .exclude(certificate_no="")
            .select_related("department")
        )
        f["lead_officer"].queryset = officers.filter(department__in=departments)
        f["lead_officer"].widget = _select(f["lead_officer"].queryset, _inspector_label)
        f["other_officers"].queryset = officers
        f["other_officers"].label_from_instance = _inspector_label  # type: ignore[attr-defined]
        f["assistants"].queryset = (
            Inspector.objects.unrestricted("joint visits")
            .filter(active=True)
            .exclude(kind=InspectorKind.OFFICER)
        )
        f["assistants"].label_from_instance = _inspector_label  # type: ignore[attr-defined]
        f["joint_departments"].queryset = Department.objects.exclude(pk__in=departments.values("pk"))
        f["joint_departments"].label_from_instance = department_label  # type: ignore[attr-defined]
        usable = Checklist.objects.filter(active=True, enterprise__isnull=True)
        f["checklist"].queryset = usable.filter(Q(department__in=departments) | Q(department__isnull=True))
        f["checklist"].widget = _select(
            f["checklist"].queryset.select_related("department"), _checklist_label
        )
        f["joint_checklists"].queryset = usable.filter(department__isnull=False).exclude(
            department__in=departments
        )
        f["joint_checklists"].label_from_instance = _checklist_label  # type: ignore[attr-defined]
        f["host_department"].widget = _select(Department.objects.all(), department_label)
        f["cap_exception"].queryset = (
            CapException.objects.unrestricted("the lead departments'")
            .filter(department__in=departments, status=ExceptionStatus.APPROVED)
            .select_related("enterprise")
        )
        f["cap_exception"].widget = _select(
            f["cap_exception"].queryset, lambda c: f"{c.enterprise.name} {c.year}年（{c.reason[:20]}）"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        joint = list(data.get("joint_departments") or [])
        by_department: dict[int, Checklist] = {}
        for checklist in data.get("joint_checklists") or []:
            if checklist.department_id not in {d.pk for d in joint}:
                self.add_error(
                    "joint_checklists", _("“%(c)s”所属部门未参加本次联合检查。") % {"c": checklist.name}
                )
            elif checklist.department_id in by_department:
                self.add_error("joint_checklists", _("每个部门只能选用一张检查表。"))
            by_department[checklist.department_id] = checklist
        lead = data.get("department")
        if lead is not None and data.get("checklist") is not None:
            by_department[lead.pk] = data["checklist"]
        data["checklists"] = by_department
        return data


class PatrolCreateForm(BoundedForm):
    """创建乡镇巡查: a township official patrols a unit of its territory (no officers: 巡查 is not 执法)."""

    mode = forms.ChoiceField(
        label=_("检查方式"),
        choices=[(Mode.PATROL, Mode.PATROL.label)],
        initial=Mode.PATROL,
        help_text=_("乡镇（街道）开展属地巡查；执法检查由监管部门开展"),
    )
    enterprise = forms.ModelChoiceField(label=_("被巡查单位"), queryset=Enterprise.objects.none())
    planned_on = forms.DateField(label=_("计划巡查日期"), widget=DATE)
    origin = forms.ChoiceField(label=_("检查来源"), choices=Origin.choices, initial=Origin.OTHER)
    subject = forms.CharField(label=_("巡查事项"), max_length=200, required=False)
    companions = forms.CharField(
        label=_("同行巡查人员"),
        max_length=200,
        required=False,
        help_text=_("您之外的巡查人员姓名，用顿号分隔，如：李明、王芳"),
    )

    def __init__(self, *args: Any, user: Any, enterprises: QuerySet[Enterprise], **kw: Any) -> None:
        super().__init__(*args, **kw)
        enterprise_widget(self.fields["enterprise"], enterprises)
        self.fields["enterprise"].error_messages["invalid_choice"] = _("请选择本乡镇（街道）辖区内的单位。")
        self.fields["mode"].error_messages["invalid_choice"] = _(
            "乡镇（街道）只能开展乡镇巡查；执法检查由监管部门持证执法人员开展。"
        )


def _inspector_label(i: Inspector) -> str:
    cert = f" 证号{i.certificate_no}" if i.certificate_no else ""
    return f"{i.name}（{department_label(i.department)}·{i.get_kind_display()}{cert}）"


def _checklist_label(c: Checklist) -> str:
    owner = department_label(c.department) if c.department_id else _("通用模板")
    return f"{owner}：{c.name}"


class AnswerForm(BoundedForm):
    result = forms.ChoiceField(label=_("检查结果"), choices=Answer.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class FindingForm(BoundedForm):
    """记录发现问题: from a 不符合 item (department and clause follow the item) or free."""

    answer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("发现的问题"), max_length=200)
    department = forms.ModelChoiceField(
        label=_("承办部门"), queryset=Department.objects.none(), required=False
    )
    level = forms.ChoiceField(label=_("隐患等级"), choices=LEVELS, initial="general")
    clause = forms.ModelChoiceField(
        label=_("判定依据条款"),
        queryset=Clause.objects.all(),
        required=False,
        help_text=_("重大事故隐患必须引用判定标准条款"),
    )
    handling = forms.ChoiceField(
        label=_("处理方式"), choices=FindingHandling.choices, initial=FindingHandling.HAZARD
    )
    location = forms.CharField(label=_("部位"), max_length=200, required=False)
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self, *args: Any, departments: QuerySet[Department], clauses: bool = True, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["department"].queryset = departments
        self.fields["department"].widget = _select(departments, department_label)
        if clauses:
            self.fields["clause"].widget = clause_select()
        else:  # a clause item: the clause and level follow the item
            del self.fields["clause"]
            del self.fields["level"]


class CompleteForm(BoundedForm):
    """完成检查: what was checked, the 处理意见, and who signed (or refused to sign)."""

    summary = forms.CharField(label=_("检查情况"), widget=forms.Textarea(attrs={"rows": 4}))
    conclusion = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}))
    unit_representative = forms.CharField(label=_("被检查单位现场负责人"), max_length=50, required=False)
    refused_to_sign = forms.BooleanField(
        label=_("被检查单位负责人拒绝签字"),
        required=False,
        help_text=_("安全生产法第六十五条：拒绝签字的，检查人员将情况记录在案并报告"),
    )


class ReasonForm(BoundedForm):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}))


class InspectorForm(BoundedForm):
    """执法检查人员: an officer with a 行政执法证, an expert, or a technician of one department."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    department = forms.ModelChoiceField(label=_("所属部门"), queryset=Department.objects.none())
    kind = forms.ChoiceField(
        label=_("人员类别"), choices=InspectorKind.choices, initial=InspectorKind.OFFICER
    )
    certificate_no = forms.CharField(
        label=_("执法证号"), max_length=40, required=False, help_text=_("行政执法人员必填")
    )
    certificate_valid_until = forms.DateField(label=_("执法证有效期至"), widget=DATE, required=False)
    specialty = forms.CharField(label=_("专业领域"), max_length=100, required=False)
    user = forms.ModelChoiceField(
        label=_("平台账号"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("关联后，本人可在“我的检查”中看到分派的检查任务"),
    )
    active = forms.BooleanField(label=_("在库"), required=False, initial=True)

    def __init__(self, *args: Any, departments: QuerySet[Department], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["department"].queryset = departments
        self.fields["department"].widget = _select(departments, department_label, blank=False)
        users = User.objects.filter(
            Q(role_assignments__role=Role.DEPARTMENT, role_assignments__department__in=departments)
            | Q(role_assignments__role=Role.EXPERT),
            is_active=True,
        ).distinct()
        self.fields["user"].queryset = users
        # People choose a colleague by name and unit (issue 10): the login name means nothing to them.
        self.fields["user"].widget = _select(
            users.order_by("display_name", "username"), lambda u: u.name_and_unit
        )


class ConflictForm(BoundedForm):
    """申报回避关系."""

    enterprise = forms.ModelChoiceField(label=_("生产经营单位"), queryset=Enterprise.objects.none())
    reason = forms.CharField(
        label=_("回避事由"), max_length=200, help_text=_("如：近亲属在该单位任职、曾在该单位任职")
    )
    declared_on = forms.DateField(label=_("申报日期"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise], **kw: Any) -> None:
        super().__init__(*args, **kw)
        enterprise_widget(self.fields["enterprise"], enterprises)
