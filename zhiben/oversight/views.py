"""Pages of 考核督办: the duty and task lists of an owner and year (with the campaign tasks it leads, Word/PDF),
an item with its steps, the office's edit, and the 通报 and reports (list by kind and year, draft, preview, 签发).

Reads go through `restrict()` (403 without the permission, 404 out of scope); writes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from zhiben.accounts.roles import Role
from zhiben.campaign.models import Task
from zhiben.core import audit
from zhiben.core.documents import (
    chinese_date,
    download_url,
    layout_of,
    render_official_html,
    render_template_text,
    strip_literal,
)
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView, posted_version, run_form
from zhiben.core.models import DocumentTemplate, OfficialDocument
from zhiben.core.scoping import can, grants_for
from zhiben.core.views import ScopedViewMixin
from zhiben.registry.models import Department, Region

from . import documents, events, services, workbench
from .choices import ITEM_COLORS, TEMPLATE_OF, BulletinKind, BulletinStatus, ItemKind, OwnerKind
from .forms import BulletinDraftForm, BulletinEditForm, ItemEditForm
from .models import Bulletin, DutyItem
from .steps import BULLETIN_FLOW, FLOW, owns


def _year(value: str | None) -> int:
    today = timezone.localdate()
    if value and value.isdigit() and 2024 <= int(value) <= today.year + 1:
        return int(value)
    return today.year


def home_unit(user: Any) -> str:
    """The list a person opens first: its department's, its township's, else the district leaders'."""
    for grant in grants_for(user):
        if grant.role == Role.DEPARTMENT and grant.extra.get("department_id"):
            code = (
                Department.objects.filter(pk=grant.extra["department_id"])
                .values_list("code", flat=True)
                .first()
            )
            if code:
                return f"d:{code}"
        if grant.role == Role.TOWNSHIP and grant.region_prefix:
            return f"t:{grant.region_prefix[:9]}"
    return OwnerKind.DISTRICT


def owner_filter(unit: str) -> tuple[Q, str, Any, Any]:
    """(filter on items, the unit's name, township, department) of a unit key: district, t:<code>, d:<code>."""
    if unit.startswith("t:"):
        township = Region.objects.filter(code=unit[2:], level=4).first()
        if township is None:
            raise Http404
        return Q(township=township), township.name, township, None
    if unit.startswith("d:"):
        department = Department.objects.filter(code=unit[2:]).first()
        if department is None:
            raise Http404
        return Q(department=department), department.name, None, department
    if unit != OwnerKind.DISTRICT:
        raise Http404
    return Q(owner_kind=OwnerKind.DISTRICT), str(_("区级领导")), None, None


def unit_choices(items: Any) -> list[tuple[str, str]]:
    """The units whose lists the reader sees (from the items in its scope), district first."""
    seen = items.values_list(
        "owner_kind", "township__code", "township__name", "department__code", "department__name"
    )
    out: dict[str, str] = {}
    for kind, t_code, t_name, d_code, d_name in seen.distinct().order_by(
        "owner_kind", "township__code", "department__sort_order"
    ):
        if kind == OwnerKind.DISTRICT:
            out[OwnerKind.DISTRICT] = str(_("区级领导"))
        elif kind == OwnerKind.TOWNSHIP and t_code:
            out[f"t:{t_code}"] = t_name
        elif d_code:
            out[f"d:{d_code}"] = d_name
    return list(out.items())


def campaign_tasks(user: Any, year: int, township: Any, department: Any) -> list[Any]:
    """The campaign tasks the unit leads this year, read through the campaign's scope (never copied)."""
    if township is None and department is None:
        return []
    if not can(user, "view", Task):
        return []
    qs = Task.objects.restrict(user).filter(year=year)
    qs = qs.filter(lead_department=department) if department is not None else qs.filter(township=township)
    return list(qs.select_related("measure").order_by("measure__number", "due_on", "pk"))


class ListView(ScopedViewMixin, View):
    """职责清单: one unit's 职责清单 and the year's 年度任务清单, with the campaign tasks it leads; Word/PDF."""

    model = DutyItem

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        year = _year(request.GET.get("year"))
        scoped = DutyItem.objects.restrict(request.user)
        status = request.GET.get("status", "")
        if status in ("overdue", "due", "confirming"):
            return self.queue(request, scoped, status)
        unit = request.GET.get("unit") or home_unit(request.user)
        q, unit_name, township, department = owner_filter(unit)
        items = list(
            scoped.filter(q)
            .filter(Q(kind=ItemKind.DUTY) | Q(kind=ItemKind.TASK, year=year))
            .select_related("township", "department")
            .order_by("kind", "sort_order", "code")
        )
        if not items and not scoped.filter(q).exists():
            raise Http404  # a unit outside the reader's scope
        tasks = campaign_tasks(request.user, year, township, department)
        fmt = request.GET.get("export")
        if fmt in ("docx", "pdf"):
            body = documents.list_body(unit_name, year, items, tasks)
            docx, pdf = documents.list_files(unit_name, year, body)
            audit.record(
                None,
                events.LIST_EXPORTED,
                actor=request.user,
                object_type="oversight.dutyitem",
                data={"unit": unit, "year": year, "format": fmt},
            )
            name = f"{unit_name}{year}年度职责清单和年度任务清单.{fmt}"
            content_type = (
                "application/pdf"
                if fmt == "pdf"
                else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            )
            response = HttpResponse(pdf if fmt == "pdf" else docx, content_type=content_type)

            response["Content-Disposition"] = content_disposition_header(True, name)
            return response
        today = timezone.localdate()
        rows = [{"item": i, "color": ITEM_COLORS[i.status], "overdue": i.is_overdue(today)} for i in items]
        duties = [r for r in rows if r["item"].kind == ItemKind.DUTY]
        year_tasks = [r for r in rows if r["item"].kind == ItemKind.TASK]
        done = sum(1 for r in year_tasks if r["item"].status == "done")
        context = {
            "title": _("职责清单"),
            "unit": unit,
            "unit_name": unit_name,
            "units": unit_choices(scoped),
            "year": year,
            "years": list(range(2024, today.year + 1)),
            "duties": duties,
            "tasks": year_tasks,
            "done": done,
            "campaign_tasks": tasks,
        }
        return render(request, "oversight/list.html", context)

    def queue(self, request: HttpRequest, scoped: Any, status: str) -> HttpResponse:
        """The workbench's queues: items overdue, due within 30 days, or waiting for confirmation (across units)."""
        today = timezone.localdate()
        qs = workbench.queue(scoped, status, today)
        if request.GET.get("mine"):
            mine = workbench.owned_by(request.user)
            qs = qs.filter(mine) if mine is not None else qs.none()
        items = list(qs.select_related("township", "department").order_by("due_on", "pk")[:500])
        rows = [{"item": i, "color": ITEM_COLORS[i.status], "overdue": i.is_overdue(today)} for i in items]
        labels = {"overdue": _("逾期事项"), "due": _("30日内到期事项"), "confirming": _("待确认事项")}
        context = {"title": labels[status], "queue_label": labels[status], "rows": rows}
        return render(request, "oversight/queue.html", context)


class ItemDetailView(ScopedViewMixin, View):
    model = DutyItem

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        item = self.get_object(request, pk)
        history = [
            {"row": t, "label": action_label(t)}
            for t in item.history.select_related("actor").order_by("at", "pk")
        ]
        context = {
            "title": item.text[:30],
            "object": item,
            "steps": FLOW.available(request.user, item),
            "color": ITEM_COLORS[item.status],
            "overdue": item.is_overdue(),
            "history": history,
            "is_owner": owns(request.user, item),
            "can_edit": can(request.user, "change", DutyItem),
            "list_url": _list_url(item),
        }
        return render(request, "oversight/item_detail.html", context)


def _list_url(item: DutyItem) -> str:

    unit = (
        f"d:{item.department.code}"  # type: ignore[union-attr]
        if item.department_id
        else f"t:{item.township.code}"  # type: ignore[union-attr]
        if item.township_id
        else OwnerKind.DISTRICT
    )
    year = f"&year={item.year}" if item.year else ""
    return f"{reverse('oversight:lists')}?unit={unit}{year}"


class ItemStepView(StepView):
    model = DutyItem
    flow = FLOW
    list_url_name = "oversight:lists"
    list_label = _("职责清单")

    def object_label(self, obj: Any) -> str:
        return f"{obj.unit_name} · {obj.get_kind_display()}"


class ItemEditView(ScopedViewMixin, View):
    model = DutyItem
    action = "change"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        item = self.get_object(request, pk)
        form = ItemEditForm(
            initial={
                k: getattr(item, k) for k in ("text", "evidence_required", "due_on", "source", "verified")
            }
        )
        return self._render(request, item, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        item = self.get_object(request, pk)
        form = ItemEditForm(request.POST)
        _result, status = run_form(
            request,
            form,
            lambda: services.update_item(
                item, actor=request.user, version=posted_version(request), **form.cleaned_data
            ),
        )
        if status == 200:
            messages.success(request, _("清单事项已保存。"))
            return redirect(item.get_absolute_url())
        return self._render(request, item, form, status=status)

    def _render(self, request: HttpRequest, item: DutyItem, form: Any, status: int = 200) -> HttpResponse:
        context = {"title": _("修改清单事项"), "object": item, "form": form}
        return render(request, "oversight/item_form.html", context, status=status)


# --- 通报 and reports --------------------------------------------------------------------------------------------


class BulletinListView(ScopedViewMixin, View):
    """通报报告: every 通报 and report by kind and year, drafts first for the office."""

    model = Bulletin

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        qs = Bulletin.objects.restrict(request.user).select_related("document")
        kind = request.GET.get("kind", "")
        if kind in BulletinKind.values:
            qs = qs.filter(kind=kind)
        year = request.GET.get("year", "")
        if year.isdigit() and len(year) == 4:
            qs = qs.filter(year=int(year))
        if request.GET.get("status") in BulletinStatus.values:
            qs = qs.filter(status=request.GET["status"])
        rows = [
            {
                "b": b,
                "pdf": download_url(b.document, "pdf") if b.document else "",
                "docx": download_url(b.document, "docx") if b.document else "",
            }
            for b in qs.order_by("status", "-year", "-pk")[:200]
        ]
        context = {
            "title": _("通报报告"),
            "rows": rows,
            "kinds": BulletinKind.choices,
            "kind": kind,
            "year": year,
            "years": list(range(timezone.localdate().year, 2023, -1)),
            "can_add": can(request.user, "add", Bulletin),
        }
        return render(request, "oversight/bulletin_list.html", context)


class BulletinCreateView(ScopedViewMixin, View):
    model = Bulletin
    action = "add"

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        kind = (
            request.GET.get("kind")
            if request.GET.get("kind") in BulletinKind.values
            else BulletinKind.PROGRESS
        )
        form = BulletinDraftForm(initial={"kind": kind, "year": timezone.localdate().year})
        return render(request, "oversight/bulletin_form.html", {"title": _("起草通报或报告"), "form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = BulletinDraftForm(request.POST)
        result, status = run_form(
            request, form, lambda: services.draft_bulletin(actor=request.user, **form.cleaned_data)
        )
        if status == 200:
            messages.success(request, _("草稿已生成，请预览后签发。"))
            return redirect(result.get_absolute_url())
        return render(
            request,
            "oversight/bulletin_form.html",
            {"title": _("起草通报或报告"), "form": form},
            status=status,
        )


def preview_html(bulletin: Bulletin) -> str:
    """The draft as its 公文 would read (number given at 签发), or the issued document itself."""
    if bulletin.document_id:
        return render_official_html(layout_of(bulletin.document), preview=True)  # type: ignore[arg-type]
    template = DocumentTemplate.objects.filter(code=TEMPLATE_OF[BulletinKind(bulletin.kind)]).first()
    if template is None:
        return ""
    today = timezone.localdate()
    data = {**services.document_context(bulletin), "issuer": template.issuer, "today": chinese_date(today)}
    title = " ".join(strip_literal(render_template_text(template.title, data, "title")).split())
    body = render_template_text(template.body, data, "body").strip()
    document = OfficialDocument(
        template=template,
        number=f"{template.number_prefix}〔{today.year}〕　号",
        year=today.year,
        seq=0,
        title=title,
        body=body,
        context={"issuer": template.issuer, "_date": today.isoformat()},
        issued_at=timezone.now(),
    )
    return render_official_html(layout_of(document), preview=True)


class BulletinDetailView(ScopedViewMixin, View):
    model = Bulletin

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        bulletin = self.get_object(request, pk)
        editing = bulletin.status == BulletinStatus.DRAFT and can(request.user, "change", Bulletin)
        return self._render(
            request,
            bulletin,
            BulletinEditForm(initial={"title": bulletin.title, "narrative": bulletin.narrative})
            if editing
            else None,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request, "change")
        bulletin = self.get_object(request, pk)
        form = BulletinEditForm(request.POST)
        _result, status = run_form(
            request,
            form,
            lambda: services.update_bulletin(
                bulletin, actor=request.user, version=posted_version(request), **form.cleaned_data
            ),
        )
        if status == 200:
            messages.success(request, _("草稿已保存。"))
            return redirect(bulletin.get_absolute_url())
        return self._render(request, bulletin, form, status=status)

    def _render(self, request: HttpRequest, bulletin: Bulletin, form: Any, status: int = 200) -> HttpResponse:
        history = [
            {"row": t, "label": action_label(t)}
            for t in bulletin.history.select_related("actor").order_by("at", "pk")
        ]
        document = bulletin.document
        context = {
            "title": bulletin.title,
            "object": bulletin,
            "form": form,
            "steps": BULLETIN_FLOW.available(request.user, bulletin),
            "preview_html": preview_html(bulletin),
            "history": history,
            "pdf": download_url(document, "pdf") if document else "",
            "docx": download_url(document, "docx") if document else "",
        }
        return render(request, "oversight/bulletin_detail.html", context, status=status)


class BulletinStepView(StepView):
    model = Bulletin
    flow = BULLETIN_FLOW
    list_url_name = "oversight:bulletin_list"
    list_label = _("通报报告")
