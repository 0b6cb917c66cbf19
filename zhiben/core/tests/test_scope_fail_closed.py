"""Scoping fails closed: in a request, a scoped model read without restrict() or a reason raises.

The views below are added to the project's URL conf in this module (`pytest.mark.urls`), so the test client drives them
through the whole middleware chain, as the platform's pages and API are driven.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhiben.core import jobs
from zhiben.core.scoping import ScopeNotApplied, enforced, unscoped
from zhiben.core.testing import login
from zhiben.hazards.models import Hazard
from zhiben.registry.models import Enterprise, Person, Region
from zhiben.urls import urlpatterns as project_urlpatterns


def leaky(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"n": len(list(Enterprise.objects.all()))})  # forgot restrict()


def restricted(request: HttpRequest) -> HttpResponse:
    names = list(Enterprise.objects.restrict(request.user).order_by("pk").values_list("name", flat=True))
    return JsonResponse({"names": names, "hazards": Hazard.objects.restrict(request.user).count()})


def unrestricted(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"n": Enterprise.objects.unrestricted("test: the whole district").filter().count()})


def related(request: HttpRequest) -> HttpResponse:
    enterprise = Enterprise.objects.restrict(request.user).order_by("pk").first()
    assert enterprise is not None
    people = list(enterprise.people.all())  # a related manager of an instance read in scope
    hazards = enterprise.hazards.count()
    back = [p.enterprise.name for p in Person.objects.filter(pk__in=[p.pk for p in people]).unrestricted("t")]
    return JsonResponse({"people": len(people), "hazards": hazards, "back": back})


def block(request: HttpRequest) -> HttpResponse:
    with unscoped("test: a login-like block"):
        n = Enterprise.objects.count()
    return JsonResponse({"n": n, "regions": Region.objects.count()})  # Region is unscoped reference data


class LeakyApi(APIView):
    def get(self, request: Request) -> Response:
        return Response({"n": Enterprise.objects.count()})


urlpatterns = [
    path("leaky/", leaky),
    path("restricted/", restricted),
    path("unrestricted/", unrestricted),
    path("related/", related),
    path("block/", block),
    path("api/leaky/", LeakyApi.as_view()),
    *project_urlpatterns,  # the middleware reverses the login and password pages
]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def official(world: Any) -> Client:
    return login(Client(), world.yingtian)


@pytest.mark.parametrize("url", ["/leaky/", "/api/leaky/"])
def test_a_view_that_forgets_restrict_fails_the_test(official: Client, url: str) -> None:
    # The exception reaches the test (no rendered 500 page), and it names the model.
    with pytest.raises(ScopeNotApplied, match=r"registry\.Enterprise"):
        official.get(url)


def test_restrict_passes_and_sees_only_the_scope(world: Any, official: Client) -> None:
    response = official.get("/restricted/")
    assert response.status_code == 200
    in_scope = set(Enterprise.objects.restrict(world.yingtian).values_list("name", flat=True))
    assert set(response.json()["names"]) == in_scope
    assert 0 < len(in_scope) < len(world.enterprises)


def test_unrestricted_with_a_reason_passes(world: Any, official: Client) -> None:
    assert official.get("/unrestricted/").json() == {"n": Enterprise.objects.count()}


def test_related_managers_and_foreign_keys_of_an_instance_read_pass(official: Client) -> None:
    response = official.get("/related/")
    assert response.status_code == 200
    assert response.json()["people"] == len(response.json()["back"])


def test_an_unscoped_block_and_unscoped_models_pass(world: Any, official: Client) -> None:
    assert official.get("/block/").json()["n"] == Enterprise.objects.count()


def test_every_evaluation_point_is_checked(world: Any) -> None:
    qs = Enterprise.objects.filter(pk__gt=0)
    evaluations = {
        "list": lambda: list(qs),
        "len": lambda: len(qs),
        "bool": lambda: bool(qs),
        "index": lambda: qs[0],
        "get": lambda: qs.get(pk=world.enterprises["qiye1"].pk),
        "first": qs.first,
        "last": qs.last,
        "count": qs.count,
        "exists": qs.exists,
        "aggregate": lambda: qs.aggregate(n=Count("pk")),
        "iterator": lambda: list(qs.iterator()),
        "values_list": lambda: list(qs.values_list("pk", flat=True)),
        "in_bulk": lambda: qs.in_bulk([1]),
        "contains": lambda: qs.contains(world.enterprises["qiye1"]),
        "update": lambda: qs.update(name="x"),
        "delete": lambda: Person.objects.filter(pk=0).delete(),
        "manager": lambda: Enterprise.objects.get(pk=world.enterprises["qiye1"].pk),
    }
    with enforced():
        for name, evaluate in evaluations.items():
            with pytest.raises(ScopeNotApplied):
                evaluate()
                pytest.fail(f"{name} was not checked")


def test_marks_survive_chaining_and_need_a_reason(world: Any) -> None:
    with enforced():
        assert (
            Enterprise.objects.unrestricted("test").filter(pk__gt=0).order_by("name").exclude(pk=0).exists()
        )
        assert Enterprise.objects.restrict(world.yingtian).filter(pk__gt=0).values("pk").count() > 0
        assert list(Enterprise.objects.none()) == []  # nothing read, nothing leaked
        with pytest.raises(ValueError):
            Enterprise.objects.unrestricted("")
        with pytest.raises(ValueError), unscoped(""):
            pass


@pytest.mark.parametrize("persona", ["yingtian", "zhujian", "qiye1", "anweiban"])
def test_restricts_own_subqueries_are_marked(world: Any, persona: str) -> None:
    # restrict() builds subqueries on related tables (region prefixes, industries, departments).
    user = world.users[persona]
    with enforced():
        for model in (Enterprise, Person, Hazard):
            assert model.objects.restrict(user).count() >= 0


def test_outside_a_request_nothing_is_checked(world: Any) -> None:
    # Commands, jobs, migrations and tests calling services directly are not in a request.
    assert Enterprise.objects.count() == len(world.enterprises)
    assert list(Person.objects.all()) is not None


def test_a_job_run_in_process_during_a_request_runs_outside_it(world: Any) -> None:
    run = jobs._recorded("test.count_units", lambda: Enterprise.objects.count())
    with enforced():
        assert run() == len(world.enterprises)
