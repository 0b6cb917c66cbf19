"""Forms of the handling loop (受理 … 答复); the API validates with serializers generated from the same forms
(core.loop.api), so the pages and the API refuse alike. Querysets of the pickers are the whole tables: the
services check what the actor may choose (a choice outside it is refused like a missing one)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.widgets import FastSelect, pick_from
from zhiben.enforcement.models import Case
from zhiben.hazards.choices import Level
from zhiben.inspections.choices import Mode
from zhiben.inspections.models import Inspector
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Enterprise, Industry, Region

from ..choices import OPEN_TIP_STATUSES, Category, Outcome
from ..duplicates import find_duplicates
from ..models import Tip

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 5})
NOTE = forms.Textarea(attrs={"rows": 2})


def _select(queryset: Any, label: Any = None) -> FastSelect:
    return FastSelect(choices=[("", "—")] + [(str(o.pk), label(o) if label else str(o)) for o in queryset])


class AcceptForm(BoundedForm):
    """受理: the custodian's 另行编辑 copy and the facts the routing needs."""

    working_text = forms.CharField(
        label=_("举报内容（另行编辑件）"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("请填写另行编辑件：承办部门只见此件。")},
        help_text=_(
            "另行编辑：去除姓名、电话、工号、岗位、笔迹特征等可识别举报人的内容后重新撰写；承办部门只见此件"
        ),
    )
    category = forms.ChoiceField(label=_("举报类别"), choices=Category.choices)
    enterprise = forms.ModelChoiceField(
        label=_("被举报单位（已登记）"),
        queryset=Enterprise.objects.unrestricted("the service checks the custodian's scope"),
        required=False,
    )
    unit_name = forms.CharField(
        label=_("被举报单位名称"), max_length=200, required=False, help_text=_("未登记的单位填写名称")
    )
    industry = forms.ModelChoiceField(
        label=_("行业领域"),
        queryset=Industry.objects.all(),
        required=False,
        help_text=_("留空按被举报单位的主行业"),
    )
    accepted_on = forms.DateField(label=_("受理日期"), widget=DATE, required=False, help_text=_("留空为今天"))

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pick_from(
            self.fields["enterprise"],  # type: ignore[arg-type]
            Enterprise.objects.unrestricted("the custodian's picker: the whole district"),
        )
        self.fields["industry"].widget = _select(Industry.objects.order_by("code"), lambda i: i.name)


class ReasonForm(BoundedForm):
    rejection_reason = forms.CharField(
        label=_("不予受理理由"),
        widget=NOTE,
        error_messages={"required": _("请写明不予受理的理由（将告知举报人）。")},
        help_text=_("将告知举报人，请勿写入承办人或被举报单位的答复"),
    )


class MergeForm(BoundedForm):
    into = forms.ModelChoiceField(
        label=_("合并到（举报编号）"),
        queryset=Tip.objects.unrestricted("the service checks the target"),
        to_field_name="code",
    )
    note = forms.CharField(label=_("说明"), widget=NOTE, required=False)

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["into"]
        if target is not None:
            open_tips = (
                Tip.objects.unrestricted("the custodian merges across the district")
                .filter(status__in=OPEN_TIP_STATUSES)
                .exclude(pk=target.pk)
                .order_by("-received_at")
            )
            dupes = {t.pk for t in find_duplicates(target)}
            rows = sorted(open_tips[:500], key=lambda t: (t.pk not in dupes, -t.received_at.timestamp()))
            field.widget = FastSelect(
                choices=[("", "—")]
                + [
                    (t.code, f"{'【疑似重复】' if t.pk in dupes else ''}{t.code} {t.get_category_display()}")
                    for t in rows
                ],
                attrs={"data-filter": "输入编号筛选"},
            )


class TransferForm(BoundedForm):
    """转办: the supervising department (三管三必须) and the township of the place, both preselected."""

    department = forms.ModelChoiceField(
        label=_("承办部门"), queryset=Department.objects.all(), to_field_name="code"
    )
    township = forms.ModelChoiceField(
        label=_("属地乡镇（街道）"),
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP),
        to_field_name="code",
        required=False,
    )
    note = forms.CharField(label=_("转办意见"), widget=NOTE, required=False)

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        deps = Department.objects.order_by("sort_order", "code")
        self.fields["department"].widget = FastSelect(choices=[("", "—")] + [(d.code, d.name) for d in deps])
        towns = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")
        self.fields["township"].widget = FastSelect(choices=[("", "—")] + [(r.code, r.name) for r in towns])


class InspectionForm(BoundedForm):
    """开展核查检查: a 举报核查 visit of the department to the unit (two certified officers at least)."""

    planned_on = forms.DateField(label=_("计划检查日期"), widget=DATE)
    mode = forms.ChoiceField(
        label=_("检查方式"),
        choices=Mode.choices,
        initial=Mode.UNANNOUNCED,
        help_text=_("联合检查、乡镇巡查请在检查任务页面创建"),
    )
    lead_officer = forms.ModelChoiceField(
        label=_("主办执法人员"), queryset=Inspector.objects.unrestricted("the service checks")
    )
    second_officer = forms.ModelChoiceField(
        label=_("协办执法人员"), queryset=Inspector.objects.unrestricted("the service checks")
    )

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if target is not None:
            officers = Inspector.objects.unrestricted("officers of the tip's department").filter(
                department_id=target.department_id, active=True
            )
            for name in ("lead_officer", "second_officer"):
                self.fields[name].widget = _select(officers.order_by("name"), lambda o: o.name)


class HazardForm(BoundedForm):
    """登记核查发现的隐患 (来源：举报)."""

    level = forms.ChoiceField(label=_("隐患等级"), choices=Level.choices, initial=Level.GENERAL)
    title = forms.CharField(label=_("隐患名称"), max_length=200)
    description = forms.CharField(label=_("隐患描述"), widget=NOTE, required=False)
    location = forms.CharField(label=_("隐患部位"), max_length=200, required=False)
    discovered_on = forms.DateField(label=_("发现日期"), widget=DATE)


class CaseLinkForm(BoundedForm):
    case = forms.ModelChoiceField(
        label=_("执法案件"), queryset=Case.objects.unrestricted("the service checks the actor's scope")
    )

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if target is not None and target.enterprise_id:
            cases = Case.objects.unrestricted("the unit's cases; the service checks scope").filter(
                enterprise_id=target.enterprise_id
            )
            self.fields["case"].widget = _select(
                cases.order_by("-filed_on"), lambda c: f"{c.code} {c.get_status_display()}"
            )


class ExtensionForm(BoundedForm):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=30, help_text=_("不超过30日"))
    reason = forms.CharField(label=_("延期理由"), widget=NOTE, help_text=_("将告知举报人"))


class DecideExtensionForm(BoundedForm):
    approve = forms.TypedChoiceField(
        label=_("审批结论"),
        choices=[("1", _("批准")), ("0", _("不予批准"))],
        coerce=lambda v: v in ("1", 1, True, "true", "True"),
    )
    note = forms.CharField(label=_("审批意见"), widget=NOTE, required=False)


class ConcludeForm(BoundedForm):
    outcome = forms.ChoiceField(label=_("核查结论"), choices=Outcome.choices)
    conclusion = forms.CharField(label=_("核查情况"), widget=TEXT, help_text=_("内部材料，不告知举报人"))
    draft_answer = forms.CharField(
        label=_("答复举报人（草稿）"),
        widget=NOTE,
        help_text=_("由受理人审定后答复举报人；不写承办人姓名，不转述被举报单位的答复"),
    )
    concluded_on = forms.DateField(
        label=_("办结日期"), widget=DATE, required=False, help_text=_("留空为今天")
    )


class FeedbackForm(BoundedForm):
    public_feedback = forms.CharField(
        label=_("答复举报人"), widget=TEXT, help_text=_("举报人凭查询码查看；不得出现承办人姓名")
    )
    public_summary = forms.CharField(
        label=_("公开摘要"),
        max_length=300,
        widget=NOTE,
        help_text=_("匿名化后公开的办理结果，不含单位和个人信息"),
    )


def today_initial(name: str) -> dict[str, Any]:
    return {name: timezone.localdate()}
