"""Pages of 源头管控: 安全生产标准化 (certificates, incentives), 安全费用 (rate tables and calculator, unit accounts
and spending, construction projects and the 50 % payment), 建设项目 with 三同时/安全设计诊断, the restricted and
prohibited catalogue, and 淘汰 tracking. Lists and details on the core generic views; steps on the loop kit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View

from zhiben.core import audit
from zhiben.core.bounds import BoundedForm
from zhiben.core.formats import local_time
from zhiben.core.loop.web import StepView, run_form
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectDetailView, ObjectEditView, ObjectListView, ScopedViewMixin
from zhiben.core.widgets import pick_from
from zhiben.registry.models import Enterprise

from . import events, fees, reference, services
from . import forms as sc_forms
from .choices import PhaseOutStatus, ProjectStatus
from .filtersets import (
    CertificateFilterSet,
    ConstructionFilterSet,
    FeeAccountFilterSet,
    PhaseOutFilterSet,
    ProjectFilterSet,
)
from .models import (
    ConstructionProject,
    FeeAccount,
    FeeSpending,
    PhaseOutItem,
    SourceProject,
    StageDocument,
    StandardisationCertificate,
)
from .steps import PHASEOUT_FLOW, PROJECT_FLOW

UNVERIFIED = "待核实"


def _yuan(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f} 元"


def _unit_field(form: forms.Form, user: Any) -> None:
    field = forms.ModelChoiceField(label=_l("生产经营单位"), queryset=Enterprise.objects.none())
    pick_from(field, Enterprise.objects.restrict(user, "view").operating())
    form.fields = {"enterprise": field, **form.fields}


class _UnitForm(BoundedForm):
    """A record form whose first field picks the unit (within the user's scope)."""

    def __init__(self, *args: Any, instance: Any = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _unit_field(self, user)


def _with_unit(base: type[forms.Form]) -> type[forms.Form]:
    return type(f"Unit{base.__name__}", (_UnitForm, base), {})


def _table(title: str, headers: list[str], rows: list[list[Any]], empty: str = "暂无记录") -> dict[str, Any]:
    return {"title": title, "headers": headers, "rows": rows, "empty": empty}


# --- 安全生产标准化 -------------------------------------------------------------------------------------------


def _cert_badge(c: StandardisationCertificate) -> str | None:
    return {"valid": "success", "expired": "secondary", "revoked": "danger"}.get(c.status)


class CertificateListView(ObjectListView):
    model = StandardisationCertificate
    filterset_class = CertificateFilterSet
    title = _l("安全生产标准化")
    create_url_name = "sourcecontrol:certificate_create"
    template_name = "sourcecontrol/certificate_list.html"
    default_sort = "valid_to"
    columns = [
        Column("enterprise.name", _l("生产经营单位"), "enterprise__name", link=True),
        Column("get_grade_display", _l("等级"), "grade"),
        Column("number", _l("证书编号")),
        Column("valid_to", _l("有效期至"), "valid_to", display=lambda c: local_time(c.valid_to)),
        Column(
            "next_review",
            _l("下次复评"),
            "next_review",
            display=lambda c: local_time(c.next_review) if c.next_review else "",
        ),
        Column("is_benchmark", _l("标杆企业"), display=lambda c: "标杆" if c.is_benchmark else ""),
        Column("get_status_display", _l("状态"), "status", badge=_cert_badge),
    ]

    def get_base_queryset(self) -> Any:
        return StandardisationCertificate.objects.select_related("enterprise")

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"incentives": reference.incentives()}


class CertificateDetailView(ObjectDetailView):
    model = StandardisationCertificate
    template_name = "sourcecontrol/detail.html"

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        grade = obj.grade
        rules = [r for r in reference.incentives()["rules"] if grade in r["grades"]]
        return {
            "tables": [
                _table(
                    "达标激励（待核实）" if not reference.incentives()["verified"] else "达标激励",
                    ["激励措施", "内容"],
                    [[r["name"], r["text"]] for r in rules],
                )
            ],
            "links": [(obj.enterprise.name, obj.enterprise.get_absolute_url())],
        }


class CertificateCreateView(ObjectEditView):
    model = StandardisationCertificate
    form_class = _with_unit(sc_forms.CertificateForm)

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        enterprise = data.pop("enterprise")
        return services.issue_certificate(enterprise, actor=actor, **data)


# --- 安全费用 ---------------------------------------------------------------------------------------------------


class FeeHomeView(LoginRequiredMixin, View):
    """The rate tables (each row with its verification flag) and the calculator."""

    def get(self, request: HttpRequest) -> HttpResponse:
        table = reference.fee_table()
        form = sc_forms.CalculateForm(request.GET or None)
        result = sector = None
        if request.GET and form.is_valid():
            try:
                sector, result = services.calculate(form.cleaned_data["sector"], form.cleaned_data["basis"])
            except Exception as exc:  # a ValidationError: shown on the form
                form.add_error(None, "；".join(getattr(exc, "messages", [str(exc)])))
        return render(
            request,
            "sourcecontrol/fees.html",
            {
                "title": _("安全生产费用"),
                "table": table,
                "form": form,
                "result": result,
                "result_rows": [
                    (
                        f"{Decimal(b['base']):,.2f}",
                        reference.percent(Decimal(b["rate"]))
                        if sector is not None and sector.per_unit is None
                        else f"{reference.plain(Decimal(b['rate']))} 元/{sector.unit if sector else ''}",
                        f"{Decimal(b['amount']):,.2f}",
                    )
                    for b in (result.brackets if result else [])
                ],
                "sector": sector,
                "pause_multiple": fees.PAUSE_MULTIPLE,
                "categories": reference.spending_categories(),
                "can_accounts": can(request.user, "view", FeeAccount),
                "can_construction": can(request.user, "view", ConstructionProject),
            },
        )


class FeeAccountListView(ObjectListView):
    model = FeeAccount
    filterset_class = FeeAccountFilterSet
    title = _l("安全生产费用台账")
    create_url_name = "sourcecontrol:fee_account_create"
    default_sort = "-year"
    columns = [
        Column("enterprise.name", _l("生产经营单位"), "enterprise__name", link=True),
        Column("year", _l("年度"), "year", display=lambda a: f"{a.year}年"),
        Column(
            "sector",
            _l("提取标准"),
            display=lambda a: getattr(reference.fee_table().find(a.sector), "name", ""),
        ),
        Column("annual", _l("年度应提取"), "annual", display=lambda a: _yuan(a.annual)),
        Column(
            "paused",
            _l("提取"),
            display=lambda a: "暂停提取" if fees.paused(a.opening_balance, a.previous_annual) else "按月提取",
            badge=lambda a: "warning" if fees.paused(a.opening_balance, a.previous_annual) else None,
        ),
    ]

    def get_base_queryset(self) -> Any:
        return FeeAccount.objects.select_related("enterprise")


class SpendingForm(sc_forms.SpendingForm):
    pass


class FeeAccountDetailView(ObjectDetailView):
    model = FeeAccount
    template_name = "sourcecontrol/detail.html"
    hidden_fields = ("sector", "table_version")

    def extra_context(self, request: HttpRequest, obj: Any, form: Any = None) -> dict[str, Any]:
        s = services.summary(obj)
        sector = reference.fee_table().find(obj.sector)
        figures = [
            (
                "提取标准",
                f"{sector.name if sector else obj.sector}（{sector.rate_text if sector else ''}）"
                + ("" if sector is None or sector.verified else "（待核实）"),
            ),
            ("年度应提取", _yuan(s.annual)),
            ("每月提取", _yuan(s.monthly)),
            (f"已提取（{s.months} 个月）", _yuan(s.accrued)),
            ("已使用", _yuan(s.spent)),
            ("结余", _yuan(s.balance)),
            ("提取状态", s.pause_reason if s.paused else "按月提取"),
        ]
        spend_rows = [
            [local_time(r.spent_on), reference.category_name(r.category), r.description, _yuan(r.amount)]
            for r in obj.spendings.all()[:100]
        ]
        may_spend = can(request.user, "add", FeeSpending)
        return {
            "figures": figures,
            "tables": [
                _table("支出记录", ["日期", "使用范围", "用途", "金额"], spend_rows),
                _table("按使用范围", ["使用范围", "金额"], [[n, _yuan(v)] for n, v in s.by_category]),
            ],
            "inline_form": (form or SpendingForm()) if may_spend else None,
            "inline_title": "登记支出",
            "inline_action": reverse("sourcecontrol:fee_spend", args=[obj.pk]),
            "links": [(obj.enterprise.name, obj.enterprise.get_absolute_url())],
        }


class FeeSpendView(ScopedViewMixin, View):
    model = FeeAccount

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "add", FeeSpending):
            raise PermissionDenied(_("您无权登记支出。"))
        account = self.get_object(request, pk)
        form = SpendingForm(request.POST)
        _result, status = run_form(
            request, form, lambda: services.record_spending(account, actor=request.user, **form.cleaned_data)
        )
        if status == 200:
            messages.success(request, _("已登记支出。"))
            return redirect(account.get_absolute_url())
        view = FeeAccountDetailView()
        context = {
            "object": account,
            "title": str(account),
            "verbose_name": FeeAccount._meta.verbose_name,
            "fields": [],
            "history": [],
            **view.extra_context(request, account, form=form),
        }
        return render(request, "sourcecontrol/detail.html", context, status=status)


class FeeAccountCreateView(ObjectEditView):
    model = FeeAccount
    form_class = _with_unit(sc_forms.FeeAccountForm)

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        enterprise = data.pop("enterprise")
        return services.open_fee_account(enterprise, actor=actor, **data)


# --- 建设工程项目 -------------------------------------------------------------------------------------------------


def _payment_state(p: ConstructionProject) -> str:
    if p.start_date is None:
        return "未开工"
    if services.half_paid(p):
        return "已付足50%"
    if services.payment_overdue(p):
        return "逾期未付足50%"
    return "待支付"


class ConstructionListView(ObjectListView):
    model = ConstructionProject
    filterset_class = ConstructionFilterSet
    title = _l("建设工程项目安全费用")
    create_url_name = "sourcecontrol:construction_create"
    default_sort = "-start_date"
    columns = [
        Column("name", _l("项目名称"), "name", link=True),
        Column("builder.name", _l("建设单位"), "builder__name"),
        Column("cost", _l("工程造价"), "cost", display=lambda p: _yuan(p.cost)),
        Column(
            "start_date",
            _l("开工日期"),
            "start_date",
            display=lambda p: local_time(p.start_date) if p.start_date else "",
        ),
        Column(
            "provision", _l("应提取安全费用"), display=lambda p: _yuan(services.construction_provision(p))
        ),
        Column(
            "payment",
            _l("建设单位支付"),
            display=_payment_state,
            badge=lambda p: (
                "danger" if services.payment_overdue(p) else ("success" if services.half_paid(p) else None)
            ),
        ),
    ]

    def get_base_queryset(self) -> Any:
        return ConstructionProject.objects.select_related("builder")


class ConstructionDetailView(ObjectDetailView):
    model = ConstructionProject
    template_name = "sourcecontrol/detail.html"
    hidden_fields = ("engineering_kind",)

    def extra_context(self, request: HttpRequest, obj: Any, form: Any = None) -> dict[str, Any]:
        sector = reference.fee_table().find(obj.engineering_kind)
        provision = services.construction_provision(obj)
        due = services.half_payment_due(obj)
        figures = [
            ("工程类别", sector.name if sector else ""),
            ("提取比例", sector.rate_text if sector else ""),
            ("应提取安全费用", _yuan(provision)),
            ("开工后一个月内应支付（≥50%）", _yuan(fees.money(provision / 2))),
            ("支付期限", local_time(due) if due else "未开工"),
            ("已支付", _yuan(obj.fee_paid)),
            ("支付情况", _payment_state(obj)),
        ]
        may_pay = can(request.user, "change", ConstructionProject) and (
            ConstructionProject.objects.restrict(request.user, "change").filter(pk=obj.pk).exists()
        )
        return {
            "figures": figures,
            "alert": "建设单位开工满一个月仍未支付不少于50%的安全生产费用（财资〔2022〕136号）。"
            if services.payment_overdue(obj)
            else "",
            "inline_form": (form or sc_forms.PaymentForm(initial={"fee_paid": obj.fee_paid}))
            if may_pay
            else None,
            "inline_title": "登记建设单位支付",
            "inline_action": reverse("sourcecontrol:construction_pay", args=[obj.pk]),
            "links": [(obj.builder.name, obj.builder.get_absolute_url())],
        }


class ConstructionPayView(ScopedViewMixin, View):
    model = ConstructionProject
    action = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        project = self.get_object(request, pk)
        form = sc_forms.PaymentForm(request.POST)
        _result, status = run_form(
            request,
            form,
            lambda: services.record_payment(
                project, actor=request.user, version=request.POST.get("version") or None, **form.cleaned_data
            ),
        )
        if status == 200:
            messages.success(request, _("已登记支付。"))
            return redirect(project.get_absolute_url())
        context = {
            "object": project,
            "title": str(project),
            "verbose_name": ConstructionProject._meta.verbose_name,
            "fields": [],
            "history": [],
            **ConstructionDetailView().extra_context(request, project, form=form),
        }
        return render(request, "sourcecontrol/detail.html", context, status=status)


class ConstructionForm(_UnitForm):
    name = forms.CharField(label=_l("项目名称"), max_length=200)
    engineering_kind = forms.ChoiceField(label=_l("工程类别"), choices=())
    cost = forms.DecimalField(
        label=_l("工程造价（元）"), max_digits=16, decimal_places=2, min_value=Decimal(0)
    )
    location = forms.CharField(label=_l("项目地点"), max_length=200, required=False)
    start_date = forms.DateField(label=_l("开工日期"), widget=sc_forms.DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].label = _l("建设单位")
        self.fields["engineering_kind"].choices = [  # type: ignore[attr-defined]
            (s.code, s.name) for s in reference.construction_sectors()
        ]


class ConstructionCreateView(ObjectEditView):
    model = ConstructionProject
    form_class = ConstructionForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        builder = data.pop("enterprise")
        return services.register_construction(
            actor=actor,
            builder=builder,
            industry=builder.primary_industry,
            township=services._township_of(builder),
            **data,
        )


# --- 建设项目: 三同时 and 安全设计诊断 ------------------------------------------------------------------------------


def _project_badge(p: SourceProject) -> str | None:
    if p.status == ProjectStatus.REFUSED:
        return "danger"
    if p.status in (ProjectStatus.DONE, ProjectStatus.DIAGNOSED):
        return "success"
    return "warning"


class ProjectListView(ObjectListView):
    model = SourceProject
    filterset_class = ProjectFilterSet
    title = _l("建设项目三同时")
    create_url_name = "sourcecontrol:project_create"
    default_sort = "-registered_on"
    columns = [
        Column("name", _l("项目名称"), "name", link=True),
        Column("enterprise.name", _l("建设单位"), "enterprise__name"),
        Column("get_kind_display", _l("项目类型"), "kind"),
        Column(
            "registered_on", _l("登记日期"), "registered_on", display=lambda p: local_time(p.registered_on)
        ),
        Column("get_status_display", _l("状态"), "status", badge=_project_badge),
    ]

    def get_base_queryset(self) -> Any:
        return SourceProject.objects.select_related("enterprise")


class ProjectDetailView(ObjectDetailView):
    model = SourceProject
    template_name = "sourcecontrol/detail.html"
    hidden_fields = ("activity",)

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        stages = [
            [
                s.get_stage_display(),
                local_time(s.done_on),
                s.document,
                s.document_number,
                s.organisation,
                s.conclusion,
            ]
            for s in obj.stages.all()
        ]
        documents = [
            [
                d.stage.get_stage_display(),
                format_html(
                    '<a href="{}" target="_blank" rel="noopener" data-testid="stage-document">'
                    '<i class="bi bi-file-earmark me-1"></i>{}</a>',
                    d.get_absolute_url(),
                    d.name,
                ),
                filesizeformat(d.size),
                local_time(d.created_at),
            ]
            for d in StageDocument.objects.filter(stage__project=obj).select_related("stage")
        ]
        matches = services.catalogue_matches(obj)
        activity = reference.catalogue_entry(obj.activity)
        return {
            "steps": PROJECT_FLOW.available(request.user, obj),
            "step_url": "sourcecontrol:project_step",
            "figures": [
                ("产业类别", f"{activity.kind_label}·{activity.name}" if activity else "不属于目录所列产业"),
            ],
            "alert": "；".join(
                f"目录{e.kind_label}条目 {e.code}“{e.name}”" + ("（待核实）" if not e.verified else "")
                for e in matches
            ),
            "tables": [
                _table("审查与三同时环节", ["环节", "完成日期", "文件", "文号", "单位", "结论"], stages),
                _table("环节文件", ["环节", "文件", "大小", "上传时间"], documents, "暂无上传的文件"),
            ],
            "links": [(obj.enterprise.name, obj.enterprise.get_absolute_url())],
        }


class ProjectForm(_UnitForm, sc_forms.ProjectForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].label = _l("建设单位")


class ProjectCreateView(ObjectEditView):
    model = SourceProject
    form_class = ProjectForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        return services.register_project(actor=actor, **data)


class ProjectStepView(StepView):
    model = SourceProject
    flow = PROJECT_FLOW
    list_url_name = "sourcecontrol:project_list"
    list_label = _l("建设项目三同时")


class StageDocumentView(ScopedViewMixin, View):
    """A stage's file, read only through here: 404 unless the project is in the reader's scope; audited; served
    with the type found by content and never run by the browser."""

    model = SourceProject

    def get(self, request: HttpRequest, pk: int, doc: int) -> FileResponse:
        self.check_action(request)
        project = self.get_object(request, pk)
        document = get_object_or_404(
            StageDocument.objects.select_related("stage"), pk=doc, stage__project=project
        )
        audit.record(
            project,
            events.STAGE_DOCUMENT_VIEWED,
            actor=request.user,
            data={"document": document.pk, "name": document.name},
        )
        inline = document.content_type in ("image/jpeg", "image/png", "application/pdf")
        response = FileResponse(
            document.file.open("rb"),
            content_type=document.content_type,
            as_attachment=not inline,
            filename=document.name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        return response


class CatalogueView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "sourcecontrol/catalogue.html",
            {
                "title": _("禁止和限制类产业目录"),
                "catalogue": reference.catalogue(),
                "entries": reference.catalogue_entries(),
            },
        )


# --- 淘汰 -------------------------------------------------------------------------------------------------------


class PhaseOutListView(ObjectListView):
    model = PhaseOutItem
    filterset_class = PhaseOutFilterSet
    title = _l("落后设备和车辆淘汰")
    create_url_name = "sourcecontrol:phaseout_create"
    default_sort = "due_on"
    columns = [
        Column("name", _l("名称或型号"), "name", link=True),
        Column("get_kind_display", _l("类别"), "kind"),
        Column("identifier", _l("号牌或编号")),
        Column("holder", _l("所属"), display=lambda i: i.enterprise.name if i.enterprise_id else i.owner),
        Column("township.name", _l("乡镇（街道）")),
        Column("due_on", _l("淘汰时限"), "due_on", display=lambda i: local_time(i.due_on)),
        Column(
            "get_status_display",
            _l("状态"),
            "status",
            display=lambda i: "逾期未淘汰" if services.phase_out_overdue(i) else i.get_status_display(),
            badge=lambda i: (
                "danger"
                if services.phase_out_overdue(i)
                else ("success" if i.status == PhaseOutStatus.DONE else "warning")
            ),
        ),
    ]

    def get_base_queryset(self) -> Any:
        return PhaseOutItem.objects.select_related("enterprise", "township")


class PhaseOutDetailView(ObjectDetailView):
    model = PhaseOutItem
    template_name = "sourcecontrol/detail.html"

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {
            "steps": PHASEOUT_FLOW.available(request.user, obj),
            "step_url": "sourcecontrol:phaseout_step",
            "alert": "已超过淘汰时限，尚未淘汰。" if services.phase_out_overdue(obj) else "",
            "links": [(obj.enterprise.name, obj.enterprise.get_absolute_url())] if obj.enterprise_id else [],
        }


class PhaseOutForm(_UnitForm, sc_forms.PhaseOutForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].label = _l("所属单位")


class PhaseOutCreateView(ObjectEditView):
    model = PhaseOutItem
    form_class = PhaseOutForm

    def service(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        enterprise = data.pop("enterprise")
        return services.register_phase_out(
            actor=actor,
            enterprise=enterprise,
            industry=enterprise.primary_industry,
            township=services._township_of(enterprise),
            **data,
        )


class PhaseOutStepView(StepView):
    model = PhaseOutItem
    flow = PHASEOUT_FLOW
    list_url_name = "sourcecontrol:phaseout_list"
    list_label = _l("落后设备和车辆淘汰")
