"""Shared test fixtures: a small world built through the same services the platform uses.

`world` holds the reference data, two or three enterprises per township in different industries and every
demo persona (see zhiben/demo/personas.py), so tests read as stories about 营田镇's official, 住建局's
inspector, qiye1's manager and so on.

The world is built and committed once per test database (each xdist worker has its own), right after the
database is created; every test runs in a transaction that is rolled back, so it starts from that world and
leaves it as it was. Building it took 2–3 s, and most tests asked for it: built per test, it was the larger part
of the suite's time. `world` hands each test freshly read instances, so nothing one test changed in memory leaks
into the next. A transactional test (`transactional_db`, `live_server`) ends with Django emptying every table;
the world is then committed again before the next test (`pytest_runtest_teardown`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

os.environ.setdefault("ZHIBEN_TESTING", "1")


def pytest_configure(config: Any) -> None:
    """On SQLite the live server answers one request at a time. Its test database lives in memory, so every
    server thread shares the test's one connection, and two requests at once (a page and its htmx poll) can
    deadlock inside sqlite3: one thread holds the GIL waiting for the connection's mutex, the other holds the
    mutex waiting for the GIL. A server without threads closes each connection after its answer (Django sends
    `Connection: close`), so the browser opens another and nothing waits. PostgreSQL gives each thread its own
    connection and keeps the threaded server."""
    from django.conf import settings  # pytest-django has configured Django before this hook runs
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)  # the server thread itself has the overridden connections

    LiveServerThread.server_class = SerialWSGIServer


# The test files that take a minute or more, longest first. `pytest -n 2 --dist loadfile` hands out whole files
# in collection order, so a long file handed out last keeps one core busy while the other idles (the crawl, last,
# added three minutes to every run); handing the long ones out first lets the short ones fill in around them.
LONG_FIRST = (
    "zhiben/core/tests/test_crawl.py",
    "zhiben/core/tests/test_phone_width.py",
    "zhiben/demo/tests/test_hazard_history.py",
    "zhiben/core/tests/test_api_contract.py",
    "zhiben/hazards/tests/test_state_machine.py",
    "zhiben/indicators/tests/test_snapshots.py",
    "zhiben/hazards/tests/test_browser.py",
    "zhiben/core/tests/test_readonly_actions.py",
    "zhiben/core/tests/test_backup.py",
    "zhiben/demo/tests/test_inspection_history.py",
)


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Long files first (LONG_FIRST), every other file after them in the order collected; a stable sort, so
    each file's tests stay together and in order."""
    rank = {path: i for i, path in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Each test starts with an empty cache: the 待办 badge and the rate limits are kept per user id or address,
    and ids repeat from test to test, so a value one test cached must not answer in the next."""
    from django.core.cache import cache  # Django is configured by pytest-django by the time a test runs

    cache.clear()
    yield


@dataclass
class World:
    users: dict[str, Any]
    enterprises: dict[str, Any]
    regions: dict[str, Any] = field(default_factory=dict)
    industries: dict[str, Any] = field(default_factory=dict)
    departments: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


# (slot, name, township, primary industry, USCC body, high risk)
TEST_ENTERPRISES = (
    ("qiye1", "屈原营田机械制造有限公司", "营田镇", "INDTRADE-MACHINE", "MA4L0001", False),
    ("qiye2", "岳阳河市化工有限公司", "河市镇", "HAZCHEM-PROD", "MA4L0002", True),
    ("qiye3", "屈原天问建筑工程有限公司", "天问街道", "CONSTRUCTION", "MA4L0003", True),
    ("yt_gas", "营田燃气经营部", "营田镇", "GAS", "MA4L0004", True),
    ("yt_shop", "营田兰花超市", "营田镇", "FIRE-SMALL", "MA4L0005", False),
    ("hs_road", "河市顺达货运有限公司", "河市镇", "ROAD", "MA4L0006", True),
    ("fh_school", "凤凰乡中心小学", "凤凰乡", "EDUCATION", "MA4L0007", False),
    ("fh_fireworks", "凤凰烟花爆竹批发部", "凤凰乡", "FIREWORKS", "MA4L0008", True),
)

# Given names of each unit's 主要负责人 (张…) and 实际控制人 (李…): pages show people by name.
TEST_GIVEN_NAMES = {
    "qiye1": "建国",
    "qiye2": "河生",
    "qiye3": "天佑",
    "yt_gas": "燃明",
    "yt_shop": "兰芳",
    "hs_road": "顺达",
    "fh_school": "育才",
    "fh_fireworks": "焰红",
}


def build_world() -> World:
    """The world: read back when it is already in the database (committed for the session), else created."""
    from zhiben.accounts.models import User
    from zhiben.core.codes import make_uscc
    from zhiben.demo.personas import PERSONAS, ensure_personas
    from zhiben.registry.models import Department, Enterprise, Industry, Region
    from zhiben.registry.reference import load_reference_data
    from zhiben.registry.services import create_enterprise

    usccs = {slot: make_uscc("9", "1", "430671", body) for slot, _n, _t, _i, body, _h in TEST_ENTERPRISES}
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=usccs.values())}
    if len(existing) == len(usccs):
        return World(
            users={u.username: u for u in User.objects.filter(username__in=[p.username for p in PERSONAS])},
            enterprises={slot: existing[key] for slot, key in usccs.items()},
            regions={r.name: r for r in Region.objects.all()},
            industries={i.code: i for i in Industry.objects.all()},
            departments={d.code: d for d in Department.objects.all()},
        )
    load_reference_data()
    regions = {r.name: r for r in Region.objects.all()}
    industries = {i.code: i for i in Industry.objects.all()}
    enterprises = {}
    for slot, name, township, industry, _body, high_risk in TEST_ENTERPRISES:
        town = regions[township]
        village = town.children.order_by("code").first() or town
        enterprises[slot] = create_enterprise(
            actor=None,
            uscc=usccs[slot],
            name=name,
            region=village,
            primary_industry=industries[industry],
            industries=[industries[industry]],
            is_high_risk=high_risk,
            principal_name="张" + TEST_GIVEN_NAMES[slot],
            principal_phone="13800000001",
            controller_name="李" + TEST_GIVEN_NAMES[slot],
            controller_phone="13900000002",
            address=f"{town.name}{village.name}",
        )
    users = ensure_personas(enterprises)
    return World(
        users=users,
        enterprises=enterprises,
        regions=regions,
        industries=industries,
        departments={d.code: d for d in Department.objects.all()},
    )


_session: dict[str, Any] = {}  # this worker's committed world: the database blocker once it is built


def _commit_world(blocker: Any) -> None:
    from django.db import transaction  # Django is configured by pytest-django by the time a fixture runs

    with blocker.unblock(), transaction.atomic():
        build_world()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The test database as pytest-django creates it, plus the world, committed once."""
    _commit_world(django_db_blocker)
    _session["blocker"] = django_db_blocker
    yield
    _session.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: Any, nextitem: Any) -> Any:
    """After a transactional test Django has emptied every table: commit the world again for the next test."""
    yield
    blocker = _session.get("blocker")
    if blocker is None or nextitem is None or _session.get("replaced"):
        return  # no database yet, the session's fixtures (the database itself) are gone, or a module's own data
    from zhiben.registry.models import Enterprise  # only once the database exists

    with blocker.unblock():
        if Enterprise.objects.filter(name=TEST_ENTERPRISES[0][1]).exists():
            return
    _commit_world(blocker)


def empty_tables() -> None:
    """Delete every row of every table (in the caller's transaction, if any)."""
    from django.core.management.color import no_style  # Django is configured by the time a fixture runs
    from django.db import connection

    # Content types and permissions stay: they describe the schema, and rows elsewhere point at them.
    kept = {"django_content_type", "auth_permission", "django_migrations"}
    tables = [
        t
        for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
        if t not in kept
    ]
    # One transaction (a savepoint inside a test's): SQLite checks its deferred foreign keys at the end.
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))


@pytest.fixture
def empty_db(db: Any) -> None:
    """For a test that needs a database without the world (the demo seeder counting what it adds): every table
    is emptied inside the test's transaction, so the world is back once it rolls back."""
    empty_tables()


@contextmanager
def committed_for_module(blocker: Any, *, keep_world: bool) -> Iterator[None]:
    """For a module-scoped fixture whose data its tests share, each test still rolled back on top of it (a
    seeded demo district, the demo's inspection year): what the block writes is committed — on the world, or,
    with `keep_world=False`, on empty tables — and afterwards every table is emptied, so that the next test gets
    the world back (`pytest_runtest_teardown`)."""
    if not keep_world:
        with blocker.unblock():
            empty_tables()
    _session["replaced"] = True
    try:
        with blocker.unblock():
            yield
    finally:
        with blocker.unblock():
            empty_tables()
        _session.pop("replaced")


@pytest.fixture
def world(db: Any) -> World:
    """The committed world, read afresh for this test (see the module's docstring)."""
    return build_world()


UNBUILT = "campaign.unbuilt_for_tests"


@pytest.fixture
def unbuilt_indicator() -> Iterator[str]:
    """An indicator whose module is not built, declared for one test and removed after: the tests of 未接入
    need one, and every real placeholder of the seed gets its module in time."""
    from zhiben.indicators import registry  # Django is configured by the time a fixture runs

    registry.placeholder(
        UNBUILT,
        "测试用未建模块指标",
        "仅供测试：来源模块尚未建设时，指标显示“未接入”，从不显示为 0。",
        source="tests",
    )
    try:
        yield UNBUILT
    finally:
        registry._REGISTRY.pop(UNBUILT, None)
