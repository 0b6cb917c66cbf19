"""Forms of 培训演练: the steps' forms (also the API's serializers), the records' create/edit forms, the
public QR sign-in and the inspector's certificate check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiben.core.bounds import BoundedForm
from zhiben.core.scoping import can
from zhiben.core.widgets import pick_from
from zhiben.inspections.models import Inspector
from zhiben.registry.choices import EnterpriseStatus, RegionLevel
from zhiben.registry.models import Department, Enterprise, Region
from zhiben.sourcecontrol.models import ConstructionProject

from .choices import (
    AttendeeRole,
    DrillKind,
    Employment,
    OrganiserKind,
    PlanLevel,
    PublicityKind,
    SessionKind,
    SupplyCategory,
    TeamLevel,
    WorkerTrainingKind,
)
from .duties import signin_units
from .models import CertificateType, TrainingTheme
from .services.workers import known_posts

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REF = "reference data"
PERSON_ROLES = [(v, lbl) for v, lbl in AttendeeRole.choices if v != AttendeeRole.INSPECTOR]


def departments() -> Any:
    return Department.objects.unrestricted(REF).order_by("sort_order", "code")


def townships() -> Any:
    return Region.objects.unrestricted(REF).filter(level=RegionLevel.TOWNSHIP).order_by("code")


def units(user: Any, action: str = "view") -> Any:
    return Enterprise.objects.restrict(user, action).filter(status=EnterpriseStatus.OPERATING)


class _InstanceForm(BoundedForm):
    """A plain form that edits a model instance through a service (ObjectEditView's `instance`, `user`)."""

    instance_fields: tuple[str, ...] = ()

    def __init__(
        self, data: Any = None, *args: Any, instance: Any = None, user: Any = None, **kw: Any
    ) -> None:
        if instance is not None and data is None and "initial" not in kw:
            kw["initial"] = {
                f: getattr(instance, f + "_id", None) if f in self.instance_fields else getattr(instance, f)
                for f in self.base_fields
                if hasattr(instance, f)
            }
        super().__init__(data, *args, **kw)
        self.user = user
        self.instance = instance
        self.setup(user)

    def setup(self, user: Any) -> None:
        pass


# --- sessions -------------------------------------------------------------------------------------------------


class NoteForm(BoundedForm):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SessionForm(_InstanceForm):
    instance_fields = ("theme", "department", "township", "enterprise", "project")
    title = forms.CharField(label=_("培训名称"), max_length=200)
    kind = forms.ChoiceField(label=_("培训类别"), choices=SessionKind.choices)
    theme = forms.ModelChoiceField(label=_("年度主题"), queryset=TrainingTheme.objects.none(), required=False)
    organiser_kind = forms.ChoiceField(label=_("组织方"), choices=OrganiserKind.choices)
    department = forms.ModelChoiceField(
        label=_("组织部门"), queryset=Department.objects.none(), required=False
    )
    township = forms.ModelChoiceField(
        label=_("所在乡镇（街道）"), queryset=Region.objects.none(), required=False
    )
    enterprise = forms.ModelChoiceField(
        label=_("组织单位"), queryset=Enterprise.objects.none(), required=False
    )
    body_name = forms.CharField(label=_("培训机构"), max_length=100, required=False)
    project = forms.ModelChoiceField(
        label=_("建设工程项目（开工第一课）"), queryset=ConstructionProject.objects.none(), required=False
    )
    held_on = forms.DateField(label=_("培训日期"), widget=DATE)
    hours = forms.DecimalField(label=_("学时"), max_digits=5, decimal_places=1, min_value=Decimal("0.5"))
    place = forms.CharField(label=_("培训地点"), max_length=200, required=False)
    content = forms.CharField(label=_("培训内容"), widget=forms.Textarea(attrs={"rows": 4}))
    covers_major_hazard = forms.BooleanField(label=_("含重大事故隐患判定标准"), required=False)
    exam = forms.BooleanField(label=_("组织考核"), required=False)

    def setup(self, user: Any) -> None:
        self.fields["theme"].queryset = TrainingTheme.objects.unrestricted(REF)  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments()  # type: ignore[attr-defined]
        self.fields["township"].queryset = townships()  # type: ignore[attr-defined]
        pick_from(self.fields["enterprise"], units(user))  # type: ignore[arg-type]
        projects = (
            ConstructionProject.objects.restrict(user, "view")
            if can(user, "view", ConstructionProject)
            else ConstructionProject.objects.none()
        )
        pick_from(self.fields["project"], projects)  # type: ignore[arg-type]


class SignInForm(BoundedForm):
    """扫码签到 on the attendee's phone: who they are and which unit they come from."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.RegexField(
        label=_("手机号"),
        regex=r"^1\d{10}$",
        max_length=11,
        error_messages={"invalid": _("请填写11位手机号。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    enterprise = forms.ModelChoiceField(
        label=_("所在单位"), queryset=Enterprise.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("身份"), choices=PERSON_ROLES)

    def __init__(self, *args: Any, session: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pick_from(self.fields["enterprise"], signin_units(session))  # type: ignore[arg-type]


class ExamForm(BoundedForm):
    attendance = forms.IntegerField(label=_("签到记录"), widget=forms.HiddenInput)
    score = forms.IntegerField(label=_("考核成绩"), min_value=0, max_value=100)
    passed = forms.BooleanField(label=_("考核合格"), required=False)


# --- certificates ---------------------------------------------------------------------------------------------


class CertificateForm(_InstanceForm):
    instance_fields = ("enterprise", "kind")
    enterprise = forms.ModelChoiceField(label=_("所在单位"), queryset=Enterprise.objects.none())
    holder_name = forms.CharField(label=_("持证人"), max_length=50)
    kind = forms.ModelChoiceField(label=_("证书类型"), queryset=CertificateType.objects.none())
    operation = forms.CharField(label=_("作业类别"), max_length=100, required=False)
    number = forms.CharField(label=_("证书编号"), max_length=40)
    issuer = forms.CharField(label=_("发证机关"), max_length=100)
    valid_from = forms.DateField(label=_("有效期起"), widget=DATE)
    valid_to = forms.DateField(label=_("有效期至"), widget=DATE)
    review_due = forms.DateField(label=_("复审日期"), widget=DATE, required=False)
    reviewed_on = forms.DateField(label=_("最近复审"), widget=DATE, required=False)

    def setup(self, user: Any) -> None:
        pick_from(self.fields["enterprise"], units(user, "change"))  # type: ignore[arg-type]
        self.fields["kind"].queryset = CertificateType.objects.unrestricted(REF)  # type: ignore[attr-defined]


class VerifyForm(BoundedForm):
    number = forms.CharField(
        label=_("证书编号"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "inputmode": "text"}),
    )


class CertificateFindingForm(BoundedForm):
    """记为检查问题: the open inspection of the unit the finding goes on, and whether to propose a case."""

    number = forms.CharField(label=_("证书编号"), max_length=40, widget=forms.HiddenInput)
    inspection = forms.IntegerField(label=_("检查"), widget=forms.HiddenInput)
    holder_name = forms.CharField(label=_("作业人员姓名"), max_length=50)
    case = forms.BooleanField(label=_("依法立案查处"), required=False)
    note = forms.CharField(label=_("现场情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


# --- drills and plans -----------------------------------------------------------------------------------------


class DrillForm(_InstanceForm):
    instance_fields = ("enterprise",)
    enterprise = forms.ModelChoiceField(label=_("单位"), queryset=Enterprise.objects.none())
    kind = forms.ChoiceField(label=_("演练类型"), choices=DrillKind.choices)
    scenario = forms.CharField(label=_("演练科目（情景）"), max_length=200)
    planned_on = forms.DateField(label=_("计划日期"), widget=DATE)

    def setup(self, user: Any) -> None:
        pick_from(self.fields["enterprise"], units(user, "change"))  # type: ignore[arg-type]


class RecordDrillForm(BoundedForm):
    held_on = forms.DateField(label=_("实施日期"), widget=DATE)
    participants = forms.IntegerField(label=_("参演人数"), min_value=1)
    evaluation = forms.CharField(label=_("演练评估"), widget=forms.Textarea(attrs={"rows": 3}))
    improvements = forms.CharField(
        label=_("改进措施"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    photo = forms.FileField(label=_("现场照片"), required=False, help_text=_("JPEG/PNG，不超过 10 MB"))


class PhotoForm(BoundedForm):
    photo = forms.FileField(label=_("现场照片"), help_text=_("JPEG/PNG，不超过 10 MB"))


class PlanForm(_InstanceForm):
    instance_fields = ("enterprise", "filed_with")
    enterprise = forms.ModelChoiceField(label=_("单位"), queryset=Enterprise.objects.none())
    name = forms.CharField(label=_("预案名称"), max_length=200)
    level = forms.ChoiceField(label=_("预案类别"), choices=PlanLevel.choices)
    filed_on = forms.DateField(label=_("备案日期"), widget=DATE, required=False)
    filing_number = forms.CharField(label=_("备案编号"), max_length=60, required=False)
    filed_with = forms.ModelChoiceField(
        label=_("备案部门"), queryset=Department.objects.none(), required=False
    )
    reviewed_on = forms.DateField(label=_("最近评估日期"), widget=DATE, required=False)

    def setup(self, user: Any) -> None:
        pick_from(self.fields["enterprise"], units(user, "change"))  # type: ignore[arg-type]
        self.fields["filed_with"].queryset = departments()  # type: ignore[attr-defined]


# --- rescue forces and publicity ------------------------------------------------------------------------------


class TeamForm(_InstanceForm):
    instance_fields = ("enterprise", "township", "department")
    name = forms.CharField(label=_("队伍名称"), max_length=100)
    level = forms.ChoiceField(label=_("队伍类别"), choices=TeamLevel.choices)
    enterprise = forms.ModelChoiceField(
        label=_("所属单位"), queryset=Enterprise.objects.none(), required=False
    )
    township = forms.ModelChoiceField(
        label=_("所在乡镇（街道）"), queryset=Region.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=_("主管部门"), queryset=Department.objects.none(), required=False
    )
    speciality = forms.CharField(label=_("专业方向"), max_length=100)
    leader = forms.CharField(label=_("队长"), max_length=50)
    phone = forms.CharField(label=_("值守电话"), max_length=20, required=False)
    equipment = forms.CharField(label=_("主要装备"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def setup(self, user: Any) -> None:
        pick_from(self.fields["enterprise"], units(user, "change"))  # type: ignore[arg-type]
        self.fields["township"].queryset = townships()  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments()  # type: ignore[attr-defined]
        if self.instance is not None and not self.is_bound:
            self.initial["phone"] = ""  # never echoed back; blank keeps the stored number


class MemberForm(BoundedForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    duty = forms.CharField(label=_("职责"), max_length=50, required=False)
    certificate = forms.CharField(label=_("资格证书"), max_length=100, required=False)
    certificate_valid_to = forms.DateField(label=_("证书有效期至"), widget=DATE, required=False)


class SupplyForm(_InstanceForm):
    instance_fields = ("township", "team")
    name = forms.CharField(label=_("物资名称"), max_length=100)
    category = forms.ChoiceField(label=_("物资类别"), choices=SupplyCategory.choices)
    quantity = forms.IntegerField(label=_("数量"), min_value=0)
    unit = forms.CharField(label=_("计量单位"), max_length=10)
    township = forms.ModelChoiceField(label=_("所在乡镇（街道）"), queryset=Region.objects.none())
    location = forms.CharField(label=_("存放地点"), max_length=200)
    keeper = forms.CharField(label=_("保管人"), max_length=50, required=False)

    def setup(self, user: Any) -> None:
        self.fields["township"].queryset = townships()  # type: ignore[attr-defined]


class PublicityForm(_InstanceForm):
    instance_fields = ("township", "department", "enterprise")
    kind = forms.ChoiceField(label=_("活动类型"), choices=PublicityKind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    held_on = forms.DateField(label=_("活动日期"), widget=DATE)
    township = forms.ModelChoiceField(
        label=_("所在乡镇（街道）"), queryset=Region.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=_("组织部门"), queryset=Department.objects.none(), required=False
    )
    enterprise = forms.ModelChoiceField(
        label=_("组织单位"), queryset=Enterprise.objects.none(), required=False
    )
    reach = forms.IntegerField(label=_("覆盖人次"), min_value=0)
    description = forms.CharField(
        label=_("活动内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def setup(self, user: Any) -> None:
        self.fields["township"].queryset = townships()  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments()  # type: ignore[attr-defined]
        pick_from(self.fields["enterprise"], units(user))  # type: ignore[arg-type]


class DrillHeldForm(_InstanceForm):
    """登记已实施演练: a drill held without a plan on the platform."""

    instance_fields = ("enterprise",)
    enterprise = forms.ModelChoiceField(label=_("单位"), queryset=Enterprise.objects.none())
    kind = forms.ChoiceField(label=_("演练类型"), choices=DrillKind.choices)
    scenario = forms.CharField(label=_("演练科目（情景）"), max_length=200)
    held_on = forms.DateField(label=_("实施日期"), widget=DATE)
    participants = forms.IntegerField(label=_("参演人数"), min_value=1)
    evaluation = forms.CharField(label=_("演练评估"), widget=forms.Textarea(attrs={"rows": 3}))
    improvements = forms.CharField(
        label=_("改进措施"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def setup(self, user: Any) -> None:
        pick_from(self.fields["enterprise"], units(user, "change"))  # type: ignore[arg-type]


class ManualSignInForm(BoundedForm):
    """补录签到 by the organiser (a unit's person, or an inspector of the roster)."""

    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.RegexField(label=_("手机号"), regex=r"^1\d{10}$", max_length=11, required=False)
    enterprise = forms.ModelChoiceField(
        label=_("所在单位"), queryset=Enterprise.objects.none(), required=False
    )
    inspector = forms.ModelChoiceField(
        label=_("执法人员"), queryset=Enterprise.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("身份"), choices=AttendeeRole.choices)

    def __init__(self, *args: Any, session: Any = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pick_from(self.fields["enterprise"], signin_units(session))  # type: ignore[arg-type]
        self.fields["inspector"].queryset = Inspector.objects.restrict(user, "view").filter(active=True)  # type: ignore[attr-defined]


# --- the worker roster (从业人员名册) -------------------------------------------------------------------------------


class WorkerForm(_InstanceForm):
    """登记 or 修改 a worker. The ID number is never put back into the form: on edit a blank one keeps it."""

    instance_fields = ("enterprise",)
    enterprise = forms.ModelChoiceField(label=_("用工单位"), queryset=Enterprise.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    post = forms.CharField(label=_("岗位"), max_length=100)
    hired_on = forms.DateField(label=_("入职（进场）日期"), widget=DATE)
    employment = forms.ChoiceField(label=_("用工形式"), choices=Employment.choices)
    employer = forms.CharField(
        label=_("派遣（用人）单位"),
        max_length=100,
        required=False,
        help_text=_("劳务派遣、承包商人员填写其派遣（用人）单位；本人列入接受其作业指令的单位名册。"),
    )

    def setup(self, user: Any) -> None:
        pick_from(self.fields["enterprise"], units(user, "change"))  # type: ignore[arg-type]
        if self.instance is not None:
            self.initial["id_number"] = ""
            self.fields["id_number"].help_text = _("已登记：%(m)s。不修改请留空。") % {
                "m": self.instance.masked_id_number
            }
        else:
            self.fields["id_number"].required = True

        enterprise = self.instance.enterprise if self.instance is not None else None
        self.fields["post"].help_text = _("岗位清单：%(p)s；或本单位一会三卡中登记的岗位。") % {
            "p": "、".join(known_posts(enterprise)[:40])
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance is not None and not data.get("id_number"):
            data["id_number"] = self.instance.id_number
        return data


class LeaveForm(BoundedForm):
    left_on = forms.DateField(label=_("离岗日期"), widget=DATE)


class WorkerTrainingForm(BoundedForm):
    """登记培训学时: pick an attendance of the worker at a session, or enter the unit's own record."""

    kind = forms.ChoiceField(label=_("培训类别"), choices=WorkerTrainingKind.choices)
    attendance = forms.TypedChoiceField(
        label=_("平台培训签到记录"), coerce=int, required=False, empty_value=None, choices=()
    )
    held_on = forms.DateField(label=_("培训日期"), widget=DATE, required=False)
    hours = forms.DecimalField(
        label=_("学时"), max_digits=5, decimal_places=1, min_value=Decimal("0.5"), required=False
    )
    content = forms.CharField(
        label=_("培训内容"),
        max_length=200,
        required=False,
        help_text=_("如：三级安全教育（公司级、车间级、班组级）；选择签到记录时可不填。"),
    )

    def __init__(self, *args: Any, attendances: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendance"].choices = [  # type: ignore[attr-defined]
            ("", _("不选（本单位自行组织的培训）")),
            *[
                (a.pk, f"{a.session.held_on:%Y-%m-%d} {a.session.title}（{a.session.hours}学时）")
                for a in attendances
            ],
        ]
