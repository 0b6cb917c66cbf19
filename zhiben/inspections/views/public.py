"""一公开: the public pages of plans and 双随机 draws, open to anyone without a login.

A draw is shown from its commitment (SM3 of the frozen pools and of the secret seed, with the time) onwards;
its results, seed and result digest appear once published (or when it is superseded by a re-draw, with the
reason). The frozen inputs can be downloaded then, so anyone can recompute the draw with the algorithm of
docs/draw-algorithm.md. No personal data is shown beyond officers' names and the last digits of their
certificate numbers.

These views declare no `model`: they are not scoped by user, only by what is public (an approved plan marked
public; a draw past its commitment).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from ..choices import DrawStatus, PlanStatus, PlanUnitKind
from ..draw_algorithm import ALGORITHM, REJECTION_TRIES, algorithm_label, canonical_json
from ..models import Draw, InspectionPlan, Inspector
from ..services import draws

PUBLIC_DRAW_STATES = draws.COMMITTED_STATES
LIST_LIMIT = 100


def public_plans() -> Any:
    # Public disclosure: every approved plan a department chose to publish, whoever asks.
    return InspectionPlan.objects.unrestricted("public disclosure").filter(
        status=PlanStatus.APPROVED, is_public=True
    )


def public_draws() -> Any:
    # Public disclosure: every draw whose commitment has been published (drafts are internal).
    return Draw.objects.unrestricted("public disclosure").filter(status__in=PUBLIC_DRAW_STATES)


def certificate_tail(number: str) -> str:
    """The last four characters of a certificate number, the rest masked."""
    return f"****{number[-4:]}" if number else ""


class PublicIndexView(View):
    """双随机、一公开: published plans and draws."""

    def get(self, request: HttpRequest) -> HttpResponse:
        plans = (
            public_plans()
            .select_related("department")
            .order_by("-year", "department__sort_order")[:LIST_LIMIT]
        )
        items = (
            public_draws()
            .select_related("department")
            .only(
                "code",
                "title",
                "status",
                "entity_count",
                "committed_at",
                "published_at",
                "department__name",
                "department__short_name",
            )
            .order_by("-committed_at", "-pk")[:LIST_LIMIT]
        )
        return render(
            request,
            "inspections/public/index.html",
            {"title": "双随机、一公开", "plans": plans, "draws": items},
        )


class PublicPlanView(View):
    """A published annual inspection plan: its key units and its draws."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = public_plans().select_related("department").filter(pk=pk).first()
        if plan is None:
            raise Http404
        units = (
            plan.units.filter(kind=PlanUnitKind.KEY)
            .select_related("enterprise__region")
            .order_by("planned_quarter", "enterprise__name")
        )
        return render(
            request,
            "inspections/public/plan.html",
            {
                "title": plan.title,
                "plan": plan,
                "units": units,
                "draws": public_draws().filter(plan=plan).only("code", "title", "status", "committed_at"),
            },
        )


class PublicDrawView(View):
    """A draw's commitment, then its results, seed and how to verify them."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        draw = (
            public_draws()
            .select_related("department", "redraw_of")
            .defer(*draws.BIG_FIELDS)
            .filter(pk=pk)
            .first()
        )
        if draw is None:
            raise Http404
        revealed = draw.status in draws.REVEALED
        rows: list[tuple[Any, list[tuple[str, str]]]] = []
        report = None
        if revealed:
            assignments = list(draw.assignments.select_related("enterprise__region").order_by("position"))
            people = Inspector.objects.unrestricted("public disclosure").in_bulk(
                {o for a in assignments for o in a.officer_ids}
            )
            for a in assignments:
                team = [
                    (people[o].name, certificate_tail(people[o].certificate_no))
                    for o in a.officer_ids
                    if o in people
                ]
                rows.append((a, team))
            report = draws.verification(draw)
        return render(
            request,
            "inspections/public/draw.html",
            {
                "title": f"{draw.code} {draw.title}",
                "draw": draw,
                "revealed": revealed,
                "rows": rows,
                "report": report,
                "redrawn_as": public_draws().filter(redraw_of=draw).only("code").first(),
                "pair_count": draw.criteria.get("pairs", 0),
                "parameters": draw.parameters,
                "weighted": bool(draw.criteria.get("weighted")),
                "superseded": draw.status == DrawStatus.SUPERSEDED,
            },
        )


class PublicDrawInputsView(View):
    """The frozen inputs of a revealed draw, as the canonical JSON whose SM3 is the published pool digest."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        draw = public_draws().filter(pk=pk, status__in=draws.REVEALED).first()
        if draw is None:
            raise Http404
        response = HttpResponse(
            canonical_json(draws.frozen_document(draw)), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'inline; filename="{draw.code}-inputs.json"'
        return response


class PublicAlgorithmView(View):
    """The draw explained to citizens in Chinese, with the rules exact enough to recompute a draw; the technical
    specification for replay software stays in the documentation (docs/draw-algorithm.md)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "inspections/public/algorithm.html",
            {"title": "双随机抽取算法", "algorithm": algorithm_label(ALGORITHM), "tries": REJECTION_TRIES},
        )
