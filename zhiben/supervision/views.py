"""Pages of 督办交办 and 暗访: the list with its tabs (Excel equal to the screen), the item page with the
reader's assignee rows and their steps, 新建督办 (also from a 暗访 finding), 督促函, the step pages, files,
the 暗访 list, record and page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from zhiben.core import audit
from zhiben.core.documents import download_url
from zhiben.core.loop.calls import run_form
from zhiben.core.loop.steps import action_label
from zhiben.core.loop.web import StepView
from zhiben.core.scoping import can
from zhiben.core.views import Badge, Column, ObjectListView, ScopedViewMixin

from . import events, services
from .choices import OPEN_ASSIGNEE_STATUSES, AssigneeStatus, ItemStatus, Level
from .documents import letters_of
from .filtersets import TAB_CHOICES, ItemFilterSet, tab_filter
from .forms import FindingForm, FindingHazardForm, ItemForm, LetterForm, VisitForm
from .models import (
    Assignee,
    FindingPhoto,
    NoteAttachment,
    SupervisionItem,
    UndercoverVisit,
    VisitFinding,
)
from .steps import FLOW

STATUS_COLORS = {
    AssigneeStatus.ISSUED: "warning",
    AssigneeStatus.WORKING: "primary",
    AssigneeStatus.REPORTED: "info",
    AssigneeStatus.DONE: "success",
}


def _units(item: SupervisionItem) -> str:
    return "、".join(a.unit_name for a in item.assignees.all())


def _item_state(item: SupervisionItem) -> Badge:
    if item.status == ItemStatus.DONE:
        return Badge(_("已办结"), "success")
    today = timezone.localdate()
    if any(a.status in OPEN_ASSIGNEE_STATUSES and a.deadline < today for a in item.assignees.all()):
        return Badge(_("逾期"), "danger")
    return Badge(_("办理中"), "primary")


class ItemListView(ObjectListView):
    model = SupervisionItem
    title = _("督办交办")
    filterset_class = ItemFilterSet
    template_name = "supervision/item_list.html"
    create_url_name = "supervision:item_create"
    default_sort = "-issued_on"
    columns = [
        Column("number", _("督办编号"), sort="number", link=True),
        Column("subject", _("督办事项"), sort="subject", link=True),
        Column("get_level_display", _("督办级别"), sort="level"),
        Column("units", _("承办单位"), display=_units),
        Column("issued_on", _("交办日期"), sort="issued_on"),
        Column("deadline", _("办理时限"), sort="deadline"),
        Column("state", _("状态"), display=_item_state),
    ]

    def get_base_queryset(self) -> Any:
        return SupervisionItem.objects.prefetch_related("assignees__department", "assignees__township")

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        base = reverse("supervision:item_list")
        items = SupervisionItem.objects.restrict(request.user, "view")
        tabs = [
            {
                "key": key,
                "label": label,
                "url": f"{base}?tab={key}",
                "count": tab_filter(items, key, request.user).count() if key != "done" else None,
            }
            for key, label in TAB_CHOICES
        ]
        # 交办 is its own permission (`issue`): a leader issues without holding `add` on anything.
        return {
            "tabs": tabs,
            "tab": request.GET.get("tab", ""),
            "can_add": can(request.user, "issue", SupervisionItem),
        }


def _link_rows(item: SupervisionItem, user: Any) -> list[dict[str, Any]]:
    """The objects the item concerns, each shown to this reader by name with a link when the reader may see
    it; a tip by its code and category only (never anything of its reporter)."""
    rows = []
    for link in item.links.select_related("content_type"):
        model = link.content_type.model_class()
        kind = str(model._meta.verbose_name) if model else "—"
        obj = None
        if model is not None and hasattr(model._default_manager, "restrict"):
            obj = model._default_manager.restrict(user, "view").filter(pk=link.object_id).first()
        if obj is None:
            rows.append({"kind": kind, "text": _("（无权查看或已删除）"), "url": ""})
            continue
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
        rows.append({"kind": kind, "text": str(obj), "url": url})
    return rows


class ItemDetailView(ScopedViewMixin, View):
    """An item: what, by when, on what basis, what it concerns; the reader's assignee rows with their steps,
    notes, files, letters, escalations and history (a unit sees only its own row)."""

    model = SupervisionItem

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        item = self.get_object(request, pk)
        today = timezone.localdate()
        rows = list(
            Assignee.objects.restrict(request.user, "view")
            .filter(item=item)
            .select_related("department", "township", "accepted_by")
            .order_by("pk")
        )
        letters = letters_of([a.pk for a in rows])
        reviewer = can(request.user, "review", Assignee)
        assignees = [
            {
                "row": a,
                "color": STATUS_COLORS[a.status],
                "overdue": a.is_overdue(today),
                "steps": FLOW.available(request.user, a),
                "notes": a.notes.select_related("author").prefetch_related("attachments"),
                "escalations": a.escalations.select_related("document").order_by("applied_on", "pk"),
                "letters": [
                    {"doc": d, "pdf": download_url(d, "pdf"), "docx": download_url(d, "docx")}
                    for d in letters.get(a.pk, [])
                ],
                "history": [
                    {"row": h, "label": action_label(h)}
                    for h in a.history.select_related("actor").order_by("at", "pk")
                ],
                "can_letter": reviewer and a.status != AssigneeStatus.DONE,
            }
            for a in rows
        ]
        total = item.assignees.count()
        context = {
            "title": item.subject,
            "object": item,
            "assignees": assignees,
            "hidden_units": total - len(rows),
            "links": _link_rows(item, request.user),
            "finding": item.finding,
            "can_see_visit": item.finding_id is not None and can(request.user, "view", UndercoverVisit),
            "letter_form": LetterForm(),
        }
        return render(request, "supervision/item_detail.html", context)


class ItemCreateView(ScopedViewMixin, View):
    """新建督办: by the office or a leader; `?finding=<id>` pre-fills it from a 暗访 finding."""

    model = SupervisionItem
    action = "issue"

    def _finding(self, request: HttpRequest) -> VisitFinding | None:
        raw = request.GET.get("finding") or request.POST.get("finding") or ""
        if not raw:
            return None
        if not raw.isdigit() or not can(request.user, "view", VisitFinding):
            raise Http404
        return get_object_or_404(
            VisitFinding.objects.restrict(request.user, "view").select_related("visit", "enterprise"),
            pk=int(raw),
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        finding = self._finding(request)
        initial: dict[str, Any] = {"level": Level.GENERAL}
        if finding is not None:
            initial.update(
                subject=_("暗访发现问题整改：%(t)s") % {"t": finding.text[:60]},
                requirement=_("%(d)s暗访（%(p)s）发现：%(t)s。请立即组织整改，并反馈整改结果。")
                % {
                    "d": f"{finding.visit.visited_on:%Y年%m月%d日}",
                    "p": finding.visit.place,
                    "t": finding.text,
                },
                basis=_("区安委会办公室暗访"),
                townships=[finding.visit.township] if finding.visit.township_id else [],
                links=finding.enterprise.get_absolute_url() if finding.enterprise_id else "",
            )
        return self.render(request, ItemForm(initial=initial), finding)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        finding = self._finding(request)
        form = ItemForm(request.POST)

        def call() -> Any:
            data = form.cleaned_data
            return services.issue_item(
                actor=request.user,
                subject=data["subject"],
                requirement=data["requirement"],
                basis=data.get("basis", ""),
                deadline=data["deadline"],
                level=data["level"],
                departments=data.get("departments") or [],
                townships=data.get("townships") or [],
                links=data.get("links", ""),
                finding=finding,
            )

        item, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("督办事项已交办。"))
            return redirect(item.get_absolute_url())
        return self.render(request, form, finding, status=status)

    def render(self, request: HttpRequest, form: Any, finding: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "supervision/item_form.html",
            {
                "form": form,
                "title": _("新建督办"),
                "finding": finding,
                "cancel_url": reverse("supervision:item_list"),
            },
            status=status,
        )


class AssigneeStepView(StepView):
    model = Assignee
    flow = FLOW
    list_url_name = "supervision:item_list"
    list_label = _("督办交办")
    template_name = "supervision/step.html"

    def get_base_queryset(self) -> Any:
        return Assignee.objects.select_related("item", "department", "township")

    def object_label(self, obj: Any) -> str:
        return f"{obj.item.number} · {obj.unit_name}"


class LetterView(ScopedViewMixin, View):
    """督促函 by hand (POST): one numbered 公文 to one unit whose part is open."""

    model = Assignee
    action = "review"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)  # 403 before 405
        return HttpResponseNotAllowed(["POST"])

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        assignee = get_object_or_404(
            Assignee.objects.restrict(request.user, "view").select_related("item"), pk=pk
        )
        form = LetterForm(request.POST)
        document, status = run_form(
            request,
            form,
            lambda: services.send_letter(
                assignee, actor=request.user, note=form.cleaned_data.get("note", "")
            ),
        )
        if status == 200:
            messages.success(request, _("督促函已签发：%(n)s") % {"n": document.number})
            return redirect(assignee.item.get_absolute_url())
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs) or str(_("督促函未签发。"))
        if status == 403:
            raise PermissionDenied(errors)
        context = {"object": assignee.item, "errors": errors, "title": _("督促函未签发")}
        return render(request, "supervision/letter_refused.html", context, status=status)


def _file_response(request: HttpRequest, record: Any) -> HttpResponse:
    audit.record(record, events.FILE_VIEWED, actor=request.user, data={"name": record.name})
    response = FileResponse(
        record.file.open("rb"), content_type=record.content_type, as_attachment=False, filename=record.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


class AttachmentView(ScopedViewMixin, View):
    model = NoteAttachment

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        return _file_response(request, self.get_object(request, pk))


class PhotoView(ScopedViewMixin, View):
    model = FindingPhoto

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        return _file_response(request, self.get_object(request, pk))


# --- 暗访 ----------------------------------------------------------------------------------------------------


def _visit_units(v: UndercoverVisit) -> str:
    return "、".join(e.name for e in v.enterprises.all()) or "—"


class VisitListView(ObjectListView):
    model = UndercoverVisit
    title = _("暗访")
    create_url_name = "supervision:visit_create"
    default_sort = "-visited_on"
    columns = [
        Column("visited_on", _("暗访日期"), sort="visited_on", link=True),
        Column("place", _("暗访地点"), sort="place", link=True),
        Column("township.name", _("乡镇（街道）")),
        Column("units", _("暗访单位"), display=_visit_units),
        Column("team", _("暗访人员")),
        Column("n_findings", _("发现问题")),
    ]

    def get_base_queryset(self) -> Any:
        return (
            UndercoverVisit.objects.select_related("township")
            .prefetch_related("enterprises")
            .annotate(n_findings=Count("findings"))
        )


class VisitCreateView(ScopedViewMixin, View):
    model = UndercoverVisit
    action = "add"

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return self.render(request, VisitForm(initial={"visited_on": timezone.localdate()}))

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = VisitForm(request.POST)

        def call() -> Any:
            d = form.cleaned_data
            return services.record_visit(
                actor=request.user,
                visited_on=d["visited_on"],
                place=d["place"],
                team=d["team"],
                township=d.get("township"),
                summary=d.get("summary", ""),
            )

        visit, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("暗访已登记，请登记发现的问题。"))
            return redirect(visit.get_absolute_url())
        return self.render(request, form, status)

    def render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "core/object_form.html",
            {
                "form": form,
                "title": _("登记暗访"),
                "verbose_name": _("暗访"),
                "cancel_url": reverse("supervision:visit_list"),
            },
            status=status,
        )


class VisitDetailView(ScopedViewMixin, View):
    """A visit: where, who, what was found; each finding with its photos and what it became (a hazard or an
    item, linked); forms to add a finding and to turn one into a hazard."""

    model = UndercoverVisit

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        visit = self.get_object(request, pk)
        return self.render(request, visit, FindingForm(user=request.user), None)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request, "change")
        visit = self.get_object(request, pk, "change")
        form = FindingForm(request.POST, request.FILES, user=request.user)

        def call() -> Any:
            d = form.cleaned_data
            return services.add_finding(
                visit,
                actor=request.user,
                text=d["text"],
                enterprise=d.get("enterprise"),
                files=request.FILES.getlist("files"),
            )

        _finding, status = run_form(request, form, call)
        if status == 200:
            messages.success(request, _("已登记发现的问题。"))
            return redirect(visit.get_absolute_url())
        return self.render(request, visit, form, None, status)

    def render(
        self, request: HttpRequest, visit: UndercoverVisit, form: Any, hazard_form: Any, status: int = 200
    ) -> HttpResponse:
        findings = visit.findings.select_related("enterprise", "hazard").prefetch_related("photos")
        items = {
            i.finding_id: i
            for i in SupervisionItem.objects.restrict(request.user, "view").filter(finding__visit=visit)
        }
        rows = [{"f": f, "item": items.get(f.pk)} for f in findings]
        return render(
            request,
            "supervision/visit_detail.html",
            {
                "title": str(visit),
                "object": visit,
                "findings": rows,
                "enterprises": visit.enterprises.all(),
                "form": form,
                "hazard_form": hazard_form or FindingHazardForm(),
                "can_change": can(request.user, "change", UndercoverVisit),
                "can_issue": can(request.user, "issue", SupervisionItem),
            },
            status=status,
        )


class FindingHazardView(ScopedViewMixin, View):
    """暗访问题 → 隐患 (POST)."""

    model = VisitFinding
    action = "view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)  # 403 before 405
        return HttpResponseNotAllowed(["POST"])

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        finding = self.get_object(request, pk)
        form = FindingHazardForm(request.POST)
        hazard, status = run_form(
            request,
            form,
            lambda: services.finding_to_hazard(
                finding,
                actor=request.user,
                level=form.cleaned_data["level"],
                title=form.cleaned_data["title"],
            ),
        )
        if status == 200:
            messages.success(request, _("已登记为隐患：%(c)s") % {"c": hazard.code})
            return redirect(finding.visit.get_absolute_url())
        if status == 403:
            raise PermissionDenied
        view = VisitDetailView()
        return view.render(request, finding.visit, FindingForm(user=request.user), form, status)
