"""restrict() as each persona sees the world, checked against pure-Python predicates (R08, R10).

The department expectations are computed from the shipped data files (registry/data/*.json), not from the
database, so a scoping bug cannot hide behind the same code computing both sides.
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhiben.accounts import events as account_events
from zhiben.accounts.roles import Role
from zhiben.accounts.services import assign_role, create_user, revoke_role
from zhiben.core.scoping import ACTIONS, Grant, can, scope_admits
from zhiben.core.testing import assert_audited, login
from zhiben.hazards.choices import Level, Source, Status
from zhiben.hazards.models import Hazard
from zhiben.registry.models import Enterprise
from zhiben.registry.reference import DATA_DIR
from zhiben.registry.services import create_enterprise

TOWNSHIP_OF = {"tianwen": "天问街道", "yingtian": "营田镇", "heshi": "河市镇", "fenghuang": "凤凰乡"}
DEPARTMENT_OF = {
    "yingji": "emergency",
    "zhujian": "housing",
    "jiaotong": "transport",
    "xiaofang": "fire",
    "shichang": "market",
}
ADMINS = ("xitong", "anquan", "shenji")


def _data(name: str) -> list[dict[str, Any]]:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def supervised_industries(department: str) -> set[str]:
    """三管三必须 from the data files: industries the department leads or co-supervises, with sub-industries."""
    direct = {
        r["industry"]
        for r in _data("responsibilities.json")
        if department in (r["lead"], *r["co_departments"])
    }
    parent = {i["code"]: i.get("parent") or None for i in _data("industries.json")}
    result = set(direct)
    changed = True
    while changed:
        more = {code for code, p in parent.items() if p in result} - result
        changed = bool(more)
        result |= more
    return result


def visible(user: Any) -> set[int]:
    return set(Enterprise.objects.restrict(user, "view").values_list("pk", flat=True))


def enterprise_facts() -> dict[int, tuple[str, set[str]]]:
    """Each enterprise's region code and industry codes, read once (test data, deliberately unscoped)."""
    facts: dict[int, tuple[str, set[str]]] = {}
    for e in Enterprise.objects.prefetch_related("industries").select_related("region"):
        facts[e.pk] = (e.region.code, {i.code for i in e.industries.all()})
    return facts


def test_it_shows_each_township_exactly_its_territory(world: Any) -> None:
    for persona, township in TOWNSHIP_OF.items():
        prefix = world.regions[township].code
        expected = {pk for pk, (code, _) in enterprise_facts().items() if code.startswith(prefix)}

        assert visible(world.users[persona]) == expected, persona
        assert expected, f"{township} has enterprises in the test world"
    assert visible(world.yingtian) == {world.enterprises[s].pk for s in ("qiye1", "yt_gas", "yt_shop")}


def test_it_shows_each_department_the_industries_it_supervises(world: Any) -> None:
    for persona, department in DEPARTMENT_OF.items():
        industries = supervised_industries(department)
        expected = {pk for pk, (_, codes) in enterprise_facts().items() if codes & industries}

        assert visible(world.users[persona]) == expected, persona
    # 住建局 leads construction, self-built houses and gas (with the GAS-PIPELINE sub-industry).
    assert {"CONSTRUCTION", "SELFBUILT", "GAS", "GAS-PIPELINE"} <= supervised_industries("housing")
    assert visible(world.zhujian) == {world.enterprises["qiye3"].pk, world.enterprises["yt_gas"].pk}


def test_it_reaches_sub_industries_of_a_supervised_industry(world: Any) -> None:
    # qiye1 is filed under INDTRADE-MACHINE; 应急管理局 is responsible for the parent INDTRADE.
    assert "INDTRADE-MACHINE" in supervised_industries("emergency")
    assert world.enterprises["qiye1"].pk in visible(world.yingji)


def test_it_shows_an_enterprise_account_only_itself(world: Any) -> None:
    for slot in ("qiye1", "qiye2", "qiye3"):
        assert visible(world.users[slot]) == {world.enterprises[slot].pk}


def test_it_shows_the_whole_district_to_the_office_and_the_leader(world: Any) -> None:
    everything = set(Enterprise.objects.values_list("pk", flat=True))

    assert visible(world.anweiban) == everything
    assert visible(world.lingdao) == everything
    assert len(everything) == len(world.enterprises)


def test_it_gives_the_three_admins_and_the_expert_no_business_data(world: Any) -> None:
    for persona in (*ADMINS, "zhuanjia"):
        user = world.users[persona]

        assert visible(user) == set(), persona
        assert not can(user, "view", Enterprise), persona
        assert not any(can(user, a, Enterprise) for a in ACTIONS), persona


def test_it_hides_everything_from_anonymous_and_inactive_users(world: Any) -> None:
    anonymous = SimpleNamespace(is_authenticated=False, is_active=True)
    world.yingtian.is_active = False

    assert visible(anonymous) == set()
    assert visible(world.yingtian) == set()


def test_it_separates_view_from_change(world: Any) -> None:
    # 领导 reads the district but edits nothing; 住建局 edits only what it supervises.
    assert not Enterprise.objects.restrict(world.lingdao, "change").exists()
    assert set(Enterprise.objects.restrict(world.zhujian, "change").values_list("pk", flat=True)) == visible(
        world.zhujian
    )
    assert not Enterprise.objects.restrict(world.zhujian, "add").exists()


# --- properties --------------------------------------------------------------------------------------------


@pytest.fixture
def mixed_world(world: Any) -> Any:
    """The world plus enterprises with several industries and one filed at township level."""
    ind = world.industries
    extra = [
        (
            "河市多业态商业综合体",
            world.regions["河市镇"].children.order_by("code").last(),
            ["GAS", "FIRE-SMALL", "COMMERCE"],
        ),
        ("营田镇直属在建工地", world.regions["营田镇"], ["CONSTRUCTION", "ROAD"]),
        (
            "凤凰危化品仓储站",
            world.regions["凤凰乡"].children.order_by("code").last(),
            ["HAZCHEM-TRADE", "WAREHOUSE"],
        ),
    ]
    for name, region, codes in extra:
        create_enterprise(
            actor=None,
            name=name,
            region=region,
            primary_industry=ind[codes[0]],
            industries=[ind[c] for c in codes],
        )
    return world


def _prefixes(world: Any) -> list[str]:
    codes = sorted({code for code, _ in enterprise_facts().values()})
    return ["430671", "4306711", "430671100", "430671101", "999", *codes, *(c[:10] for c in codes)]


no_db_reset = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@no_db_reset
@given(data=st.data())
def test_it_restricts_exactly_as_the_grants_say(mixed_world: Any, data: Any) -> None:
    facts = enterprise_facts()
    industry_ids = {i.code: i.pk for i in mixed_world.industries.values()}
    industry_codes = {pk: code for code, pk in industry_ids.items()}
    grant = st.builds(
        Grant,
        role=st.just("test"),
        permissions=st.sampled_from(
            [
                {"registry.enterprise": frozenset({"view"})},
                {"registry.*": frozenset({"view", "change"})},
                {"*": frozenset({"view"})},
                {"registry.enterprise": frozenset({"change"})},  # does not allow view
                {"registry.person": frozenset({"view"})},  # another model
            ]
        ),
        region_prefix=st.none() | st.sampled_from(_prefixes(mixed_world)),
        industry_ids=st.none() | st.frozensets(st.sampled_from(sorted(industry_ids.values())), max_size=5),
        enterprise_ids=st.none() | st.frozensets(st.sampled_from(sorted(facts)), max_size=4),
    )
    grants = data.draw(st.lists(grant, max_size=3))
    user = SimpleNamespace(is_authenticated=True, is_active=True, _zhiben_grants=grants)

    def admits(g: Grant, pk: int) -> bool:
        code, codes = facts[pk]
        return (
            g.allows("view", Enterprise)
            and (g.region_prefix is None or code.startswith(g.region_prefix))
            and (g.industry_ids is None or bool(codes & {industry_codes[i] for i in g.industry_ids}))
            and (g.enterprise_ids is None or pk in g.enterprise_ids)
        )

    expected = {pk for pk in facts if any(admits(g, pk) for g in grants)}
    rows = list(Enterprise.objects.restrict(user, "view").values_list("pk", flat=True))

    assert set(rows) == expected
    assert len(rows) == len(set(rows)), "restrict() must not duplicate rows across to-many joins"


assignment = st.one_of(
    st.tuples(st.just(Role.TOWNSHIP), st.sampled_from(["430671001", "430671100", "430671101", "430671203"])),
    st.tuples(st.just(Role.DEPARTMENT), st.sampled_from(sorted(set(DEPARTMENT_OF.values()) | {"education"}))),
    st.tuples(st.just(Role.ENTERPRISE), st.integers(min_value=0, max_value=10)),
    st.tuples(st.just(Role.LEADER), st.none()),
)


@no_db_reset
@given(assignments=st.lists(assignment, min_size=1, max_size=3, unique_by=lambda a: (a[0], a[1])))
def test_it_scopes_real_role_assignments_as_the_rules_say(mixed_world: Any, assignments: list[Any]) -> None:
    facts = enterprise_facts()
    enterprises = sorted(facts)
    expected: set[int] = set()
    with transaction.atomic():
        user = create_user(actor=None, username="hypo", password="x", validate=False)
        for role, target in assignments:
            if role == Role.TOWNSHIP:
                assign_role(user, actor=None, role=role, region_code=target)
                expected |= {pk for pk, (code, _) in facts.items() if code.startswith(target)}
            elif role == Role.DEPARTMENT:
                department = mixed_world.departments[target]
                assign_role(user, actor=None, role=role, department=department)
                industries = supervised_industries(target)
                expected |= {pk for pk, (_, codes) in facts.items() if codes & industries}
            elif role == Role.ENTERPRISE:
                pk = enterprises[target % len(enterprises)]
                assign_role(user, actor=None, role=role, enterprise=Enterprise.objects.get(pk=pk))
                expected.add(pk)
            else:
                assign_role(user, actor=None, role=role)
                expected |= set(facts)

        assert visible(user) == expected
        transaction.set_rollback(True)  # each example starts from the same world


# --- permission changes apply on the next request (R10) ------------------------------------------------------


def test_it_applies_a_new_territory_and_its_revocation_on_the_next_request(client: Any, world: Any) -> None:
    road = world.enterprises["hs_road"]
    api = reverse("enterprise-detail", kwargs={"pk": road.pk})
    page = reverse("registry:enterprise_detail", kwargs={"pk": road.pk})
    login(client, world.yingtian)

    before = (client.get(api).status_code, client.get(page).status_code)
    extra = assign_role(world.yingtian, actor=world.xitong, role=Role.TOWNSHIP, region_code="430671101")
    granted = (client.get(api).status_code, client.get(page).status_code)
    revoke_role(extra, actor=world.xitong)
    revoked = (client.get(api).status_code, client.get(page).status_code)

    assert before == (404, 404)
    assert granted == (200, 200)
    assert revoked == (404, 404)
    assert_audited(account_events.ROLE_ASSIGNED, world.yingtian, actor=world.xitong, region_code="430671101")
    assert_audited(account_events.ROLE_REVOKED, world.yingtian, actor=world.xitong, role=Role.TOWNSHIP)


def test_it_applies_a_first_role_and_its_revocation_on_the_next_request(client: Any, world: Any) -> None:
    newcomer = create_user(actor=world.xitong, username="xinren", password="x", validate=False)
    url = reverse("enterprise-list")
    login(client, newcomer)

    before = client.get(url).status_code
    role = assign_role(
        newcomer, actor=world.xitong, role=Role.DEPARTMENT, department=world.departments["housing"]
    )
    granted = client.get(url)
    revoke_role(role, actor=world.xitong)
    revoked = client.get(url).status_code

    assert before == 403
    assert granted.status_code == 200
    assert {r["id"] for r in granted.json()["results"]} == visible(world.zhujian)
    assert revoked == 403


# --- deciding on a loaded row (scope_admits) answers as restrict() does --------------------------------------


@pytest.fixture
def hazard_world(world: Any) -> Any:
    """One hazard per unit, handed to a department other than its industry's (a transfer): the department
    clause then decides apart from the industry clause."""
    departments = sorted(world.departments.values(), key=lambda d: d.pk)
    for i, (slot, enterprise) in enumerate(sorted(world.enterprises.items())):
        Hazard.objects.create(
            code=f"YH2026-9{i:05d}",
            enterprise=enterprise,
            region=enterprise.region,
            industry=enterprise.primary_industry,
            department=departments[i % len(departments)],
            level=Level.GENERAL,
            source=Source.SELF_CHECK,
            title=f"{slot} 消防通道堵塞",
            discovered_on=dt.date(2026, 4, 10),
            status=Status.RECTIFYING,
        )
    return world


@no_db_reset
@given(data=st.data())
def test_a_loaded_row_is_admitted_exactly_as_restrict_would(hazard_world: Any, data: Any) -> None:
    world = hazard_world
    hazards = Hazard.objects.unrestricted("the test compares every row")
    ids = st.frozensets(st.sampled_from(sorted(h.pk for h in hazards)), max_size=4)
    grant = st.builds(
        Grant,
        role=st.just("test"),
        permissions=st.sampled_from(
            [{"hazards.hazard": frozenset({"review"})}, {"*": frozenset({"view", "review"})}]
        ),
        region_prefix=st.none() | st.sampled_from(_prefixes(world)),
        industry_ids=st.none()
        | st.frozensets(st.sampled_from(sorted(i.pk for i in world.industries.values())), max_size=6),
        enterprise_ids=st.none() | st.frozensets(st.sampled_from(sorted(h.enterprise_id for h in hazards))),
        department_ids=st.none()
        | st.frozensets(st.sampled_from(sorted(d.pk for d in world.departments.values())), max_size=3),
        assignee_ids=st.none() | ids,  # hazards have no assignee path: such a grant admits none
    )
    grants = data.draw(st.lists(grant, max_size=3))
    user = SimpleNamespace(is_authenticated=True, is_active=True, _zhiben_grants=grants)

    expected = set(Hazard.objects.restrict(user, "review").values_list("pk", flat=True))
    with_region = list(hazards.select_related("region"))
    assert {h.pk for h in with_region if scope_admits(user, "review", h)} == expected
    assert all(scope_admits(user, "review", h) is not None for h in with_region)
    for h in hazards:  # region not loaded: it may not know, but it never answers wrongly
        verdict = scope_admits(user, "review", h)
        assert verdict is None or verdict == (h.pk in expected)
