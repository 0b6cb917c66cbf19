"""Pages of the judgement-standard library: standards, versions, clause search, and the office's edits.

Everyone who works with hazards may read the library (standards.* view); the committee office adds versions
and clauses (standards.* add/change). Lists and details are declarative; the edit pages are explicit views
that call one service each.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zhiben.core.loop.web import posted_version, run_form
from zhiben.core.scoping import can
from zhiben.core.views import Column, ObjectDetailView, ObjectListView, ScopedViewMixin
from zhiben.core.widgets import FastSelect
from zhiben.registry.models import Enterprise, Industry

from . import services
from .filtersets import ClauseSearchFilterSet, StandardFilterSet, search_terms
from .forms import ClauseForm, VersionForm
from .models import Clause, Confidence, Standard, StandardVersion
from .queries import citable_versions, waiting_standards

CONFIDENCE_COLORS = {
    Confidence.VERIFIED: "success",
    Confidence.MEDIUM: "info",
    Confidence.UNVERIFIED: "warning",
}
LOOKUP_LIMIT = 30


def needs_checking(standard: Any, confidence: str | None) -> bool:
    """待核实: the text was not found, the current version has no clauses yet (what is cited meanwhile is an
    older version), or the current version's facts are unverified (research/domain.md [U])."""
    if getattr(standard, "clause_count", None) == 0:
        return True
    return not standard.text_found or confidence in (None, "", Confidence.UNVERIFIED)


def _status_label(o: Any) -> str:
    if needs_checking(o, o.current_confidence):
        return _("待核实")
    return str(Confidence(o.current_confidence).label)


def _status_color(o: Any) -> str:
    if needs_checking(o, o.current_confidence):
        return "warning"
    return CONFIDENCE_COLORS.get(o.current_confidence, "secondary")


def with_current_version(queryset: Any) -> Any:
    """Standards annotated with their current version's label, number and confidence, and its clause count."""
    current = StandardVersion.objects.filter(standard=OuterRef("pk"), is_current=True).order_by(
        F("effective_from").desc(nulls_last=True), "-pk"
    )
    clause_count = (
        Clause.objects.filter(version__standard=OuterRef("pk"), version__is_current=True)
        .order_by()
        .values("version__standard")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return queryset.annotate(
        current_id=Subquery(current.values("pk")[:1]),
        current_label=Subquery(current.values("label")[:1]),
        current_doc_number=Subquery(current.values("doc_number")[:1]),
        current_confidence=Subquery(current.values("confidence")[:1]),
        clause_count=Coalesce(Subquery(clause_count, output_field=IntegerField()), Value(0)),
    )


class StandardListView(ObjectListView):
    """判定标准: one row per sector standard with its current version."""

    model = Standard
    filterset_class = StandardFilterSet
    template_name = "standards/standard_list.html"
    title = gettext_lazy("重大事故隐患判定标准")
    default_sort = "sort_order"
    paginate_by = 100
    columns = [
        Column("sector", gettext_lazy("行业领域"), sort="sort_order"),
        Column("name", gettext_lazy("标准名称"), sort="name", link=True),
        Column("current_label", gettext_lazy("现行版本")),
        Column("current_doc_number", gettext_lazy("文号")),
        Column("clause_count", gettext_lazy("条款数"), sort="clause_count"),
        Column("confidence", gettext_lazy("核实状态"), display=_status_label, badge=_status_color),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return with_current_version(Standard.objects.all())

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        context: dict[str, Any] = {"clause_search_url": reverse("standards:clause_list")}
        if can(request.user, "add", Clause):
            context["waiting_url"] = reverse("standards:waiting_list")
            context["waiting_count"] = len(waiting_standards())
        return context


class WaitingListView(ScopedViewMixin, View):
    """待补录条款: the office's list of standards whose current version has no clauses yet, with the version
    cited meanwhile (flagged 待核实) or none. Only those who enter clauses (区安委办) see it."""

    model = Clause
    action = "add"

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return render(
            request,
            "standards/waiting_list.html",
            {"rows": waiting_standards(), "title": _("待补录条款的判定标准")},
        )


class StandardDetailView(ObjectDetailView):
    """A standard with all its versions, current first."""

    model = Standard
    template_name = "standards/standard_detail.html"

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return with_current_version(Standard.objects.all())

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        versions = obj.versions.annotate(clause_count=Count("clauses")).order_by(
            "-is_current", F("effective_from").desc(nulls_last=True), "-pk"
        )
        return {
            "versions": versions,
            "industries": obj.industries.order_by("sort_order", "code"),
            "needs_checking": needs_checking(obj, obj.current_confidence),
            "citable": citable_versions().get(obj.pk),
            "can_add_version": can(request.user, "add", StandardVersion),
            "confidence_colors": CONFIDENCE_COLORS,
        }


class VersionDetailView(ObjectDetailView):
    """One issued text of a standard and its clauses, searchable."""

    model = StandardVersion
    template_name = "standards/version_detail.html"

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return StandardVersion.objects.select_related("standard")

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        q = (request.GET.get("q") or "").strip()[:100]
        clauses = obj.clauses.annotate(cited=Count("hazards")).order_by("sort_order", "code")
        total = obj.clauses.count()
        if q:
            clauses = search_terms(clauses, q, ("text", "code", "article"))
        others = obj.standard.versions.exclude(pk=obj.pk).order_by(
            "-is_current", F("effective_from").desc(nulls_last=True), "-pk"
        )
        citable = citable_versions().get(obj.standard_id)
        is_citable = citable is not None and citable.version.pk == obj.pk
        return {
            "citable": is_citable,
            "citable_note": citable.note if is_citable and citable is not None else "",
            "clauses": clauses,
            "clause_total": total,
            "q": q,
            "others": others,
            "confidence_color": CONFIDENCE_COLORS.get(obj.confidence, "secondary"),
            "can_add_clause": can(request.user, "add", Clause),
            "can_change_clause": can(request.user, "change", Clause),
            "can_add_version": can(request.user, "add", StandardVersion),
            "edit_url": reverse("standards:version_edit", args=[obj.pk]),
            "search_url": clause_filter_for_version(obj),
        }


class ClauseListView(ObjectListView):
    """条款检索: every clause of every standard, current versions by default, with export."""

    model = Clause
    filterset_class = ClauseSearchFilterSet
    template_name = "standards/clause_list.html"
    title = gettext_lazy("判定条款检索")
    default_sort = "position"
    columns = [
        Column("version.standard.sector", gettext_lazy("行业领域"), sort="position"),
        Column("version.standard.name", gettext_lazy("判定标准")),
        Column(
            "version.label",
            gettext_lazy("版本"),
            display=lambda c: (
                c.version.label
                if c.version.is_current
                else _("%(label)s（非现行）") % {"label": c.version.label}
            ),
            badge=lambda c: None if c.version.is_current else "secondary",
        ),
        Column("code", gettext_lazy("条款编号"), sort="code", link=True),
        Column("article", gettext_lazy("所属条/章")),
        Column("text", gettext_lazy("条款内容")),
    ]

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        # One sortable number for "the library's order": standard, then version, then the clause's position.
        return Clause.objects.select_related("version__standard").annotate(
            position=F("version__standard__sort_order") * 10**13 + F("version_id") * 10**6 + F("sort_order")
        )

    def prepare_filter_form(self, request: HttpRequest, form: forms.Form) -> None:
        super().prepare_filter_form(request, form)
        standards = Standard.objects.order_by("sort_order", "code").values_list("code", "sector", "name")
        form.fields["standard"].widget = FastSelect(
            choices=[("", _("全部")), *((code, f"{sector}：{name}") for code, sector, name in standards)]
        )
        versions = StandardVersion.objects.select_related("standard").order_by(
            "standard__sort_order", "standard__code", "-is_current", F("effective_from").desc(nulls_last=True)
        )
        form.fields["version"].widget = FastSelect(
            choices=[
                ("", _("全部")),
                *(
                    (str(v.pk), f"{v.standard.sector} {v.label}" + ("" if v.is_current else _("（非现行）")))
                    for v in versions
                ),
            ]
        )
        form.fields["current"].widget = FastSelect(
            choices=[("true", _("仅现行版本")), ("unknown", _("全部版本")), ("false", _("仅非现行版本"))]
        )


class ClauseDetailView(ObjectDetailView):
    """One judgement item: its text, where it sits, and whether hazards cite it."""

    model = Clause
    template_name = "standards/clause_detail.html"

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Clause.objects.select_related("version__standard")

    def extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        cited_total = obj.hazards.count()
        # Only the hazards the viewer may see are counted by name of scope: a count is still a fact about them.
        visible = obj.hazards.restrict(request.user, "view").count() if cited_total else 0
        return {
            "cited_total": cited_total,
            "cited_visible": visible,
            "edit_url": reverse("standards:clause_edit", args=[obj.pk]),
            "confidence_color": CONFIDENCE_COLORS.get(obj.version.confidence, "secondary"),
        }


# --- the office's edits -----------------------------------------------------------------------------------


class ServiceFormView(ScopedViewMixin, View):
    """GET shows the form, POST calls one service through `core.loop.web.run_form`; rule violations land on
    the form (400, 403, or 409 when stale)."""

    template_name = "standards/form.html"

    def render_form(self, request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
        return render(request, self.template_name, {**context, "conflict": status == 409}, status=status)


class VersionCreateView(ServiceFormView):
    """新增版本: the office adds a new issued text; the old version and its clauses stay."""

    model = StandardVersion
    action = "add"

    def _standard(self, request: HttpRequest, standard_pk: int) -> Standard:
        self.check_action(request)
        return get_object_or_404(Standard.objects.restrict(request.user, "view"), pk=standard_pk)

    def _context(self, standard: Standard, form: VersionForm) -> dict[str, Any]:
        return {
            "form": form,
            "title": _("新增版本：%(name)s") % {"name": standard.name},
            "standard": standard,
            "crumbs": [
                (_("判定标准"), reverse("standards:standard_list")),
                (standard.name, standard.get_absolute_url()),
            ],
            "cancel_url": standard.get_absolute_url(),
            "submit_label": _("新增版本"),
        }

    def get(self, request: HttpRequest, standard_pk: int) -> HttpResponse:
        standard = self._standard(request, standard_pk)
        initial = VersionForm(standard=standard)
        if standard.current_version is not None:
            initial.initial.setdefault("title", standard.current_version.title)
        return self.render_form(request, self._context(standard, initial))

    def post(self, request: HttpRequest, standard_pk: int) -> HttpResponse:
        standard = self._standard(request, standard_pk)
        form = VersionForm(request.POST, standard=standard)

        def call() -> StandardVersion:
            data = dict(form.cleaned_data)
            copy = data.pop("copy_clauses", False)
            make_current = data.pop("make_current", False)
            return services.create_version(
                standard,
                actor=request.user,
                copy_clauses_from=form.copy_source if copy else None,
                make_current=make_current,
                **data,
            )

        saved, status = run_form(request, form, call)
        if status != 200:
            return self.render_form(request, self._context(standard, form), status)
        messages.success(request, _("已新增版本 %(label)s。") % {"label": saved.label})
        return redirect(saved.get_absolute_url())


class VersionEditView(ServiceFormView):
    """修改版本: 文号、日期、来源、核实状态 of one version (compare-and-swap on its row version)."""

    model = StandardVersion
    action = "change"

    def _context(self, version: StandardVersion, form: VersionForm) -> dict[str, Any]:
        return {
            "form": form,
            "title": _("修改版本：%(v)s") % {"v": version},
            "object": version,
            "crumbs": [
                (_("判定标准"), reverse("standards:standard_list")),
                (version.standard.name, version.standard.get_absolute_url()),
                (version.label, version.get_absolute_url()),
            ],
            "cancel_url": version.get_absolute_url(),
            "revision": version.version,
            "submit_label": _("保存"),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        version = self.get_object(request, pk)
        return self.render_form(
            request, self._context(version, VersionForm(standard=version.standard, instance=version))
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        version = self.get_object(request, pk)
        form = VersionForm(request.POST, standard=version.standard, instance=version)
        expected = posted_version(request, "revision")

        def call() -> StandardVersion:
            data = {k: v for k, v in form.cleaned_data.items() if k in VersionForm.edit_fields()}
            return services.update_version(version, actor=request.user, expected_version=expected, **data)

        saved, status = run_form(request, form, call)
        if status != 200:
            context = self._context(version, form)
            context["revision"] = expected if expected is not None else version.version
            return self.render_form(request, context, status)
        messages.success(request, _("已保存。"))
        return redirect(saved.get_absolute_url())


class ClauseCreateView(ServiceFormView):
    """新增条款 in one version (e.g. entering the text of a standard listed without clauses)."""

    model = Clause
    action = "add"

    def _version(self, request: HttpRequest, standard_version_pk: int) -> StandardVersion:
        self.check_action(request)
        return get_object_or_404(
            StandardVersion.objects.restrict(request.user, "view").select_related("standard"),
            pk=standard_version_pk,
        )

    def _context(self, version: StandardVersion, form: ClauseForm) -> dict[str, Any]:
        return {
            "form": form,
            "title": _("新增条款：%(v)s") % {"v": version},
            "crumbs": [
                (_("判定标准"), reverse("standards:standard_list")),
                (version.standard.name, version.standard.get_absolute_url()),
                (version.label, version.get_absolute_url()),
            ],
            "cancel_url": version.get_absolute_url(),
            "submit_label": _("新增条款"),
        }

    def get(self, request: HttpRequest, standard_version_pk: int) -> HttpResponse:
        version = self._version(request, standard_version_pk)
        return self.render_form(request, self._context(version, ClauseForm(version=version)))

    def post(self, request: HttpRequest, standard_version_pk: int) -> HttpResponse:
        version = self._version(request, standard_version_pk)
        form = ClauseForm(request.POST, version=version)

        def call() -> Clause:
            data = dict(form.cleaned_data)
            return services.add_clause(
                version,
                actor=request.user,
                code=data["code"],
                article=data.get("article") or "",
                text=data["text"],
                sort_order=data.get("sort_order"),
                expected_version=data.get("revision"),
            )

        saved, status = run_form(request, form, call)
        if status != 200:
            return self.render_form(request, self._context(version, form), status)
        messages.success(request, _("已新增条款 %(code)s。") % {"code": saved.code})
        return redirect(version.get_absolute_url())


class ClauseEditView(ServiceFormView):
    """修改条款. A clause a hazard cites keeps its code, article and text (the form shows them read-only)."""

    model = Clause
    action = "change"

    def get_base_queryset(self):  # type: ignore[no-untyped-def]
        return Clause.objects.select_related("version__standard")

    def _context(self, clause: Clause, form: ClauseForm, cited: int) -> dict[str, Any]:
        version = clause.version
        return {
            "form": form,
            "title": _("修改条款：%(code)s") % {"code": clause.code},
            "object": clause,
            "crumbs": [
                (_("判定标准"), reverse("standards:standard_list")),
                (version.standard.name, version.standard.get_absolute_url()),
                (version.label, version.get_absolute_url()),
                (clause.code, clause.get_absolute_url()),
            ],
            "cancel_url": clause.get_absolute_url(),
            "cited": cited,
            "new_version_url": reverse("standards:version_create", args=[version.standard_id]),
            "submit_label": _("保存"),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        clause = self.get_object(request, pk)
        cited = clause.hazards.count()
        form = ClauseForm(version=clause.version, instance=clause, frozen=bool(cited))
        return self.render_form(request, self._context(clause, form, cited))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_action(request)
        clause = self.get_object(request, pk)
        cited = clause.hazards.count()
        form = ClauseForm(request.POST, version=clause.version, instance=clause, frozen=bool(cited))

        def call() -> Clause:
            data = dict(form.cleaned_data)
            expected = data.pop("revision", None)
            if data.get("sort_order") is None:
                data.pop("sort_order", None)
            return services.update_clause(clause, actor=request.user, expected_version=expected, **data)

        saved, status = run_form(request, form, call)
        if status != 200:
            return self.render_form(request, self._context(clause, form, cited), status)
        messages.success(request, _("已保存。"))
        return redirect(saved.get_absolute_url())


# --- lookup for the hazard form -----------------------------------------------------------------------------


def _ancestors(industry: Industry) -> list[int]:
    """The industry and the industries above it: a standard for 工贸 applies to 工贸/机械 too."""
    ids: list[int] = []
    node: Industry | None = industry
    while node is not None and node.pk not in ids and len(ids) < 10:
        ids.append(node.pk)
        node = node.parent
    return ids


class ClauseLookupView(LoginRequiredMixin, View):
    """JSON for choosing the clause a 重大 hazard cites (the typeahead of the hazard forms): up to 30 citable
    clauses, [{id, label, citation, applies, version, pending}].

    GET ?q=<terms>&industry=<id>&enterprise=<id>&standard=<id>. Only clauses of citable versions are offered
    (queries.citable_versions: never a version without clauses); a fallback version's clauses carry
    `pending`, the note that a newer version exists. Standards that apply to the industry (or an industry
    above it) come first; `applies` says which ones do. `enterprise` gives the industry of a unit the user
    may see (404 otherwise, as everywhere), for the register form where the unit is chosen first.
    """

    model = Clause

    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, "view", Clause):
            return JsonResponse({"detail": _("您无权查看判定条款。")}, status=403)
        errors: dict[str, list[str]] = {}
        industry_ids: list[int] = []
        raw_industry = (request.GET.get("industry") or "").strip()
        raw_enterprise = (request.GET.get("enterprise") or "").strip()
        raw_standard = (request.GET.get("standard") or "").strip()
        for name, raw, message in (
            ("industry", raw_industry, _("行业领域应为编号（整数）。")),
            ("enterprise", raw_enterprise, _("生产经营单位应为编号（整数）。")),
            ("standard", raw_standard, _("判定标准应为编号（整数）。")),
        ):
            if raw and (not raw.isdigit() or len(raw) > 18):
                errors[name] = [message]
        if errors:
            return JsonResponse(errors, status=400)
        if raw_enterprise:
            enterprise = (
                Enterprise.objects.restrict(request.user, "view")
                .filter(pk=int(raw_enterprise))
                .select_related("primary_industry__parent")
                .first()
            )
            if enterprise is None:
                return JsonResponse({"detail": _("未找到该生产经营单位。")}, status=404)
            if not raw_industry and enterprise.primary_industry is not None:
                industry_ids = _ancestors(enterprise.primary_industry)
        if raw_industry:
            industry = Industry.objects.filter(pk=int(raw_industry)).select_related("parent").first()
            industry_ids = _ancestors(industry) if industry is not None else []
        citable = citable_versions()
        pending = {c.version.pk: c.note for c in citable.values() if c.fallback}
        clauses = Clause.objects.restrict(request.user, "view").filter(
            version_id__in=[c.version.pk for c in citable.values()]
        )
        if raw_standard:
            clauses = clauses.filter(version__standard_id=int(raw_standard))
        q = (request.GET.get("q") or "").strip()[:100]
        if q:
            clauses = search_terms(
                clauses,
                q,
                ("text", "code", "article", "version__standard__name", "version__standard__sector"),
            )
        through = Standard.industries.through
        applies = Exists(
            through.objects.filter(standard_id=OuterRef("version__standard_id"), industry_id__in=industry_ids)
        )
        clauses = (
            clauses.select_related("version__standard")
            .annotate(applies=applies if industry_ids else Value(False))
            .order_by(
                "-applies", "version__standard__sort_order", "version__standard__code", "sort_order", "code"
            )
        )[:LOOKUP_LIMIT]
        return JsonResponse(
            [
                {
                    "id": c.pk,
                    "label": f"{_sector_label(c, c.version_id in pending)} {c.code} {_short(c.text)}",
                    "citation": c.citation,
                    "applies": bool(c.applies),
                    "version": c.version.label,
                    "pending": pending.get(c.version_id, ""),
                }
                for c in clauses
            ],
            safe=False,
        )


def _sector_label(clause: Clause, fallback: bool) -> str:
    sector = clause.version.standard.sector
    if not fallback:
        return sector
    return _("%(sector)s（%(label)s，待核实）") % {"sector": sector, "label": clause.version.label}


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clause_filter_for_version(version: StandardVersion) -> str:
    """The clause search URL showing one version's clauses (all versions, not only current ones)."""
    return f"{reverse('standards:clause_list')}?version={version.pk}&current=unknown"
