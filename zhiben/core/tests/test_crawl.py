"""The crawl: every URL pattern × every persona (and anonymous) gets a GET; nothing may answer 5xx or leak.

Routes come from Django's resolver, so the DRF router's routes and every page another app adds are
crawled without being listed here (R07: deny by default, Zulip's URL coverage). Path arguments are filled
from the test world: an int pk → an existing object of the view's model, a uuid → a random one.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

from zhiben.accounts.models import User
from zhiben.core.navigation import MODULES
from zhiben.core.scoping import ACTIONS, can
from zhiben.core.testing import ANONYMOUS, is_api, login, redirects_to_login
from zhiben.tips.tests import sentinel

from .crawl_world import crawl_world  # noqa: F401 - the fixture, also imported by the other crawl tests

# Anonymous visitors may open these (url name → statuses); everything else needs a login (R07).
PUBLIC = {
    "accounts:login": {200},
    "healthz": {200},
    "api-schema": {200},  # the OpenAPI document describes routes, never data
    "api-docs": {200},  # Swagger UI from local sidecar files
    # 双随机、一公开: published plans and draws, their commitments, results and how to verify them.
    "inspections:public_index": {200},
    "inspections:public_algorithm": {200},
    "inspections:public_plan": {200, 404},  # 404 while the plan is not public
    "inspections:public_draw": {200, 404},  # 404 before the commitment is published
    "inspections:public_draw_inputs": {200, 404},
    # 举报 (issue 12): the public portal, its unit search, the receipt lookup (400 without a code) and Open311.
    "tips:portal": {200},
    "tips:status": {200},
    "tips:units": {200},
    "public-tip-status": {400},
    "open311-services": {200},
    "open311-requests": {400},  # the list of requests is not public; POST files a tip
    "open311-request": {404},
    "tips:claim": {200},  # 申领举报奖励 by receipt code (no login; never shows an identity)
    "tips:outcomes": {200},  # 举报办理情况公开: anonymised counts and summaries
    "training:signin": {200, 404},  # 培训扫码签到: the QR code's secret names the session (404 for any other)
}

# Routes that only accept POST: a GET must be refused with 405, by everyone.
POST_ONLY = {
    "api-token": "exchanges a password for a token",
    "accounts:logout": "logout changes state, so it is POST with a CSRF token",
    "accounts:token_revoke": "revokes an API token (a button on the profile page)",
    "accounts:user_revoke_role": "revokes a role (a button on the user page)",
    "accounts:lockout_unlock": "lifts a lockout (a button on the lockout list)",
    "accounts:audit_verify": "runs the audit chain verification (a button on the audit list)",
    "accounts:calendar_override_clear": "removes a workday override (a button on the calendar)",
    "accounts:calendar_year_publish": "publishes a year's holidays (a form on the calendar)",
    "core:inbox_read": "marks notifications read (a button in the inbox)",
    **dict.fromkeys(
        (
            "training:session_exam",
            "training:session_sign",
            "training:drill_photo_upload",
            "training:team_member_add",
        ),
        "an exam result, a 补录 sign-in, a drill photo or a team member (a form on the record's page)",
    ),
    "hazards:attachment_upload": "uploads a file to a hazard (a form on the hazard page)",
    "public-tip-submit": "files a tip anonymously (the public API)",
    "sourcecontrol:fee_spend": "records a safety-fee spending (a form on the fee account page)",
    "sourcecontrol:construction_pay": "records the 建设单位's payment (a form on the construction project page)",
    **dict.fromkeys(
        (
            "inspections:inspection_start",
            "inspections:inspection_answer",
            "inspections:inspection_photo_upload",
            "inspections:conflict_withdraw",
            "inspections:duty_high_risk_toggle",
            "selfcheck-photos",
            "standards:checklist_copy",
            "standards:checklist_item_add",
            "standards:checklist_item_delete",
            "inspection-start",
            "inspection-answer",
            "inspection-findings",
            "inspection-complete",
            "inspection-cancel",
            "inspector-conflicts",
            "checklist-copy",
            "checklist-items",
        ),
        "a step of an inspection or a checklist edit (a button or form on its page)",
    ),
    **dict.fromkeys(
        (
            "inspections:plan_submit",
            "inspections:plan_public",
            "inspections:plan_unit_remove",
            "inspections:cap_delete",
            "inspections:draw_commit",
            "inspections:draw_perform",
            "inspections:draw_publish",
            "inspection-plan-submit",
            "inspection-plan-approve",
            "inspection-plan-return",
            "inspection-plan-publicity",
            "draw-commit",
            "draw-draw",
            "draw-publish",
            "draw-redraw",
        ),
        "a step of a plan or a 双随机 draw (a button on its page)",
    ),
    **dict.fromkeys(
        (
            "enforcement:evidence_upload",
            *(
                f"case-{s}"
                for s in (
                    "investigate",
                    "add-measure",
                    "remove-measure",
                    "notify",
                    "decide",
                    "execute",
                    "close",
                    "withdraw",
                    "typical",
                )
            ),
            *(f"illegal-operation-{s}" for s in ("stop", "ban", "legalise", "convert")),
            "closure-proposal-submit",
            "closure-proposal-dismiss",
        ),
        "a step of a case, a 打非治违 record or a closure proposal",
    ),
    **dict.fromkeys(
        ("risk:zone", "risk-assess", "risk-point-assess", "work-permit-confirm", "work-permit-finish"),
        "the 四色图 editor's save, the LEC/LS calculator, a step of a risk point or a 动工卡 (POST)",
    ),
    **{
        f"hazard-{step.replace('_', '-')}": "a step of the hazard loop (POST with the version read)"
        for step in (
            "confirm",
            "reject",
            "merge",
            "plan",
            "progress",
            "request_acceptance",
            "self_accept",
            "close",
            "return",
            "reopen",
            "transfer",
            "request_extension",
            "decide_extension",
            "workers_report",
            "supervise",
        )
    },
}

# Values for path arguments that are not object ids (url name or "*", argument) → value.
ARGUMENT_HINTS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("core:planned", "key"): lambda world: next((m.key for m in MODULES if not m.built), MODULES[0].key),
    ("hazards:hazard_step", "name"): lambda world: "confirm",
    ("hazards:rule_edit", "kind"): lambda world: "escalation",
    ("enforcement:case_step", "name"): lambda world: "investigate",
    ("enforcement:operation_step", "name"): lambda world: "stop",
    ("enforcement:proposal_step", "name"): lambda world: "submit",
    ("tips:reward_step", "name"): lambda world: "approve",
    ("tips:vault_request_step", "name"): lambda world: "approve",
    ("risk:point_step", "name"): lambda world: "assess",
    ("risk:permit_step", "name"): lambda world: "confirm",
    ("sourcecontrol:project_step", "name"): lambda world: "approve",
    ("sourcecontrol:phaseout_step", "name"): lambda world: "retire",
    ("*", "format"): lambda world: "json",
    ("*", "year"): lambda world: 2025,
    ("*", "month"): lambda world: 1,
    ("*", "day"): lambda world: "2025-10-01",
}


@dataclass
class Route:
    """One URL pattern as the resolver sees it."""

    name: str | None
    route: str
    params: dict[str, str]  # argument → converter name ("IntConverter", "regex", …)
    callback: Any
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.name or '(无名称)'} [{self.route}]"


def _params(pattern: Any) -> dict[str, str]:
    if isinstance(pattern, RoutePattern):
        return {name: type(conv).__name__ for name, conv in pattern.converters.items()}
    if isinstance(pattern, RegexPattern):
        return dict.fromkeys(pattern.regex.groupindex, "regex")
    return {}


def iter_routes(
    patterns: list[Any] | None = None,
    prefix: str = "",
    namespace: str = "",
    params: dict[str, str] | None = None,
) -> Iterator[Route]:
    """Every endpoint pattern, with its namespaced name and the route text Django reports when it matches."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    params = params or {}
    for p in patterns:
        # The same joining as URLResolver._join_route, so the text equals ResolverMatch.route.
        text = str(p.pattern) if not prefix else prefix + str(p.pattern).removeprefix("^")
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from iter_routes(p.url_patterns, text, ns, {**params, **_params(p.pattern)})
        elif isinstance(p, URLPattern):
            name = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else None
            yield Route(name, text, {**params, **_params(p.pattern)}, p.callback, dict(p.default_args))


def view_model(route: Route) -> type | None:
    """The model a view reads: `model` on a Django view, `queryset.model` on a DRF viewset."""
    view = getattr(route.callback, "view_class", None) or getattr(route.callback, "cls", None)
    if view is None:
        return None
    model = getattr(view, "model", None)
    if model is not None:
        return model
    queryset = getattr(view, "queryset", None)
    return getattr(queryset, "model", None)


def _model_named(argument: str) -> type | None:
    stem = argument.removesuffix("_pk").removesuffix("_id")
    for model in apps.get_models():
        if model._meta.model_name == stem.replace("_", ""):
            return model
    return None


@dataclass
class Target:
    """A concrete path for a route, and the object it points at (if any)."""

    route: Route
    path: str
    obj: Any = None


def sample_object(model: type, world: Any) -> Any:
    from zhiben.registry.models import Enterprise

    if model is Enterprise:
        # 河市镇's chemical plant: in scope for some personas, out of scope for others (see the matrix).
        return world.enterprises["qiye2"]
    # Test fixture lookup, not a view: any existing row will do.
    return model._default_manager.order_by("pk").first()


def build(route: Route, world: Any) -> Target:
    """Fill the route's arguments from the world; raises LookupError when it cannot."""
    if route.name is None:
        raise LookupError("没有名称，无法 reverse()")
    kwargs: dict[str, Any] = {}
    obj = None
    for argument, converter in route.params.items():
        hint = ARGUMENT_HINTS.get((route.name, argument)) or ARGUMENT_HINTS.get(("*", argument))
        if hint is not None:
            kwargs[argument] = hint(world)
        elif converter == "UUIDConverter":
            kwargs[argument] = uuid.uuid4()
        elif converter == "IntConverter" or argument in ("pk", "id") or argument.endswith(("_pk", "_id")):
            model = view_model(route) if argument in ("pk", "id") else _model_named(argument)
            found = sample_object(model, world) if model is not None else None
            if found is not None and argument in ("pk", "id"):
                obj = found
            kwargs[argument] = found.pk if found is not None else 1
        elif converter in ("SlugConverter", "StringConverter", "regex"):
            kwargs[argument] = "x"
        elif converter == "PathConverter":
            kwargs[argument] = "x/y"
        else:
            raise LookupError(f"参数 {argument} 的转换器 {converter} 未知")
    try:
        path = reverse(route.name, kwargs=kwargs)
    except NoReverseMatch as exc:
        raise LookupError(f"reverse 失败：{exc}") from exc
    try:
        match = resolve(path)
    except Resolver404 as exc:
        raise LookupError(f"{path} 无法解析") from exc
    if match.route != route.route:
        raise LookupError(f"{path} 解析到了另一条路由 {match.route}")
    return Target(route, path, obj)


def build_all(world: Any) -> tuple[list[Target], list[str]]:
    targets, failures = [], []
    for route in iter_routes():
        try:
            targets.append(build(route, world))
        except LookupError as exc:
            failures.append(f"{route.label}: {exc}")
    return targets, failures


def _json(response: Any) -> Any:
    if "json" not in response.get("Content-Type", ""):
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _has_any_permission(user: Any, model: type) -> bool:
    return any(can(user, action, model) for action in ACTIONS)


def check(target: Target, persona: str, user: Any, response: Any) -> list[str]:
    """Every rule the crawl enforces on one response."""
    where = f"GET {target.path} ({target.route.name}) as {persona}"
    status = response.status_code
    if status >= 500:
        return [f"{where}: {status}"]
    name = target.route.name or ""
    if name in POST_ONLY:
        if status == 405:
            return []
        # Deny first: a persona with no permission at all on the route's model may meet the 403 first.
        route_model = view_model(target.route)
        if (
            status == 403
            and user is not None
            and route_model is not None
            and not _has_any_permission(user, route_model)
        ):
            return []
        # Anonymous callers may meet the login check before the method check; that refusal is fine too.
        if user is None and (redirects_to_login(response) or (is_api(target.path) and status in (401, 403))):
            return []
        return [f"{where}: POST-only route answered {status}, expected 405"]
    if user is None:
        if name in PUBLIC:
            ok = status in PUBLIC[name]
            return [] if ok else [f"{where}: public route answered {status}, expected {PUBLIC[name]}"]
        if is_api(target.path):
            return [] if status in (401, 403) else [f"{where}: expected 401/403, got {status}"]
        return [] if redirects_to_login(response) else [f"{where}: expected 302 → login, got {status}"]
    problems = []
    model = view_model(target.route)
    scoped = model is not None and hasattr(model._default_manager, "restrict")
    if scoped and not _has_any_permission(user, model):
        if status != 403:
            problems.append(f"{where}: no permission on {model._meta.label}, expected 403, got {status}")
    elif (
        scoped
        and target.obj is not None
        and status == 200
        and not model._default_manager.filter(pk=target.obj.pk).restrict(user, "view").exists()
    ):
        problems.append(f"{where}: answered 200 for an object outside the persona's scope")
    body = _json(response)
    if scoped and status == 200 and isinstance(body, dict) and isinstance(body.get("results"), list):
        listed = {row.get("id") for row in body["results"] if isinstance(row, dict)}
        visible = set(model._default_manager.restrict(user, "view").values_list("pk", flat=True))
        if listed - visible:
            problems.append(f"{where}: lists out-of-scope ids {sorted(listed - visible)}")
    return problems


# What a person reads must not show a raw timestamp (a UTC offset or a seconds fraction), a login name where a
# name belongs, or a region code after a name: "乡镇（街道）（430671203）" (issue 10, findings 9 and 10).
RAW_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+([+-]\d{2}:?\d{2}|Z)?|[+-]\d{2}:\d{2}|Z)|\+00:00"
)
REGION_CODE = re.compile(r"（\d{9,12}）")
# A Latin-letter word a person would read as a code: any run of ASCII letters (with digits, _ . - joining
# them) that is not a unit, a standard's prefix or a format name (issue 10 §10: codes stay in the API).
LATIN = re.compile(r"(?<![A-Za-z0-9_./\-])[A-Za-z][A-Za-z0-9]*(?:[_.\-][A-Za-z0-9]+)*")
LATIN_ALLOWED = frozenset(
    {
        # units and formats a reader knows
        *(
            "MB",
            "KB",
            "GB",
            "kg",
            "km",
            "m",
            "mm",
            "cm",
            "t",
            "h",
            "kW",
            "kV",
            "MPa",
            "kPa",
            "ppm",
            "mg",
            "L",
            # 监测预警's units: %LEL (of the lower explosive limit), smoke obscuration, residual current
            "LEL",
            "dB",
            "mA",
        ),
        *("PDF", "Word", "Excel", "CSV", "JSON", "API", "OpenAPI", "Swagger", "UI", "URL", "ID", "IP", "QR"),
        *("SM3", "SM4", "DRBG", "HMAC", "SHA", "LEC", "LS", "IoT", "MQTT", "PC", "App", "APP", "SMS"),
        *("PNG", "JPEG", "JPG", "Ctrl", "WGS-84", "HMAC-SM3", "SM3-HMAC", "https", "http", "ASCII"),
        # refining processes named in the metallurgy standard's own clause text
        *("AOD", "LF", "RH", "VOD"),
        # prefixes of standards and documents: GB/T, AQ, KA/T, DB, JGJ, Art (the law's article in citations)
        *("GB", "T", "AQ", "KA", "DB", "JGJ", "XF", "NB", "SL", "HG", "WS", "GA", "JT", "TSG", "DL", "MZ"),
        # the unified social credit code's letters and the platform's own name
        "USCC",
        "Zhiben",
    }
)
# Pages whose subject is the account itself: the login name is what they show (用户与角色, 我的账号, 锁定).
ACCOUNT_PAGES = {
    "accounts:user_list",
    "accounts:user_detail",
    "accounts:profile",
    "accounts:lockout_list",
    "accounts:password_change",
    "accounts:user_reset_password",
    "accounts:user_assign_role",
    "accounts:user_disable",
    "accounts:user_enable",
    "accounts:user_end_sessions",
    "accounts:user_reset_2fa",
    "accounts:two_factor",
}
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
# Record numbers a person reads and quotes (JC2026-000001, SJ2026-0001, the 裁量基准's AQ102-3, GB/T 4754's
# C26): capitals then a digit. Digests are hex; a) b) are a clause's enumeration; uploads keep their file name.
_NUMBERED = re.compile(
    r"[A-Z]{1,4}\d[A-Za-z0-9\-]*|[0-9a-f]{16,}|[A-Za-z]|[\w\-]+\.(png|jpe?g|pdf|docx?|xlsx?)"
)


def _allowed_latin(word: str) -> bool:
    return word in LATIN_ALLOWED or bool(_USCC.fullmatch(word) or _NUMBERED.fullmatch(word))


# Pages whose subject is a format for machines or template authors: the Latin inside their <code>/<pre>
# samples is the point (JSON keys of the exchange format, the template language's variables, the audit row
# exactly as its MAC covers it). Everything outside those samples is checked like any page.
CODE_SAMPLES = {
    "hazards:exchange_import": "the exchange format's JSON keys",
    "hazards:exchange_import_json": "the exchange format's JSON keys",
    "core:document_template_edit": "the template language's variables and the template text",
    "accounts:audit_detail": "the stored record the chain's MAC covers",
    "accounts:two_factor": "the two-factor secret, typed into an authenticator app when the QR code won't scan",
    "risk:table_create": "a band table version's JSON (scales and bands), edited as data",
}
_CODE = re.compile(r"<(code|pre|textarea)\b.*?</\1>", re.S)
_MAIN = re.compile(r"<main\b.*?</main>", re.S)
_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def visible_text(response: Any, drop_code: bool = False) -> str | None:
    """The text a person reads in the page's <main>: tags, scripts and attributes stripped; None if no page."""
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    html = response.content.decode("utf-8", "replace")
    main = _MAIN.search(html)
    html = _HIDDEN.sub(" ", main.group(0) if main else html)
    text = _TAG.sub(" ", _CODE.sub(" ", html) if drop_code else html)
    return html_lib.unescape(text)


def check_text(target: Target, persona: str, response: Any, logins: re.Pattern[str]) -> list[str]:
    text = visible_text(response, drop_code=target.route.name in CODE_SAMPLES)
    if text is None:
        return []
    where = f"GET {target.path} ({target.route.name}) as {persona}"
    problems = []
    for pattern, what in ((RAW_TIME, "原始时间戳"), (REGION_CODE, "名称后的区划代码")):
        found = pattern.search(text)
        if found:
            problems.append(f"{where}: 页面显示{what} “{found.group(0)}”")
    account_page = target.route.name in ACCOUNT_PAGES
    if not account_page:
        found = logins.search(text)
        if found:
            problems.append(f"{where}: 页面显示登录名 “{found.group(0)}” 而不是姓名")
    if account_page:  # the login name is the subject of these pages
        text = logins.sub(" ", text)
    codes = sorted({w for w in LATIN.findall(text) if not _allowed_latin(w)})
    if codes:
        problems.append(f"{where}: 页面显示代码 {codes[:8]}")
    return problems


# (url name, world → kwargs, persona, expected status): the promises the crawl must keep exactly.
EXPLICIT: list[tuple[str, Callable[[Any], dict[str, Any]], str, int]] = [
    ("enterprise-detail", lambda w: {"pk": w.enterprises["hs_road"].pk}, "yingtian", 404),
    ("registry:enterprise_detail", lambda w: {"pk": w.enterprises["hs_road"].pk}, "yingtian", 404),
    ("enterprise-detail", lambda w: {"pk": w.enterprises["hs_road"].pk}, "heshi", 200),
    ("registry:enterprise_detail", lambda w: {"pk": w.enterprises["hs_road"].pk}, "heshi", 200),
    ("enterprise-detail", lambda w: {"pk": w.enterprises["qiye2"].pk}, "qiye1", 404),
    ("registry:enterprise_detail", lambda w: {"pk": w.enterprises["qiye2"].pk}, "qiye1", 404),
    ("enterprise-detail", lambda w: {"pk": w.enterprises["qiye1"].pk}, "qiye1", 200),
    ("enterprise-list", lambda w: {}, "zhuanjia", 403),
    ("registry:enterprise_list", lambda w: {}, "zhuanjia", 403),
    ("enterprise-list", lambda w: {}, "shenji", 403),
    ("registry:enterprise_detail", lambda w: {"pk": w.enterprises["qiye2"].pk}, "xitong", 403),
]


def _sentinels(path: str, name: str | None, persona: str, response: Any) -> list[str]:
    hits = sentinel.found_in(sentinel.body_text(response))
    return [f"GET {path} ({name}) as {persona}: 哨兵身份泄露 {hits}"] if hits else []


def test_it_builds_a_path_for_every_route(crawl_world: Any) -> None:  # noqa: F811 - the fixture above
    targets, failures = build_all(crawl_world)

    assert not failures, "爬取无法覆盖这些路由（请命名路由或在 ARGUMENT_HINTS 中给出参数）：\n" + "\n".join(
        failures
    )
    names = {t.route.name for t in targets}
    assert {"enterprise-list", "enterprise-detail", "registry:enterprise_detail", "healthz"} <= names
    stale = (set(PUBLIC) | set(POST_ONLY)) - names
    assert not stale, f"PUBLIC/POST_ONLY 中有已不存在的路由：{sorted(stale)}"


def test_it_crawls_every_route_as_every_persona(crawl_world: Any, caplog: Any) -> None:  # noqa: F811
    """Every route as every persona, and with them the sentinel test (tips/tests/sentinel.py): a tip whose
    planted identity no answer but the custodian's vault may show, nor any list's Excel export, nor anything
    at rest afterwards. One crawl for both: each took minutes of the suite."""
    world = crawl_world
    caplog.set_level(logging.DEBUG)
    sentinel.plant(world)
    # A 500 is a finding to report with all the others, not an exception that stops the crawl.
    client = Client(raise_request_exception=False)
    targets, failures = build_all(world)
    problems = [f"无法构造路径：{f}" for f in failures]
    seen: dict[tuple[str, str], int] = {}
    usernames = sorted(User.objects.values_list("username", flat=True), key=len, reverse=True)
    logins = re.compile(r"(?<![\w.@/-])(" + "|".join(map(re.escape, usernames)) + r")(?![\w.@/-])")
    exported = 0
    for persona, user in [(ANONYMOUS, None), *world.users.items()]:
        if user is None:
            client.logout()
        else:
            login(client, user)
        custodian = persona == "jubao"  # the vault's custodian: the vault view shows the identity, by design
        for target in targets:
            response = client.get(target.path)
            seen[(target.path, persona)] = response.status_code
            problems += check(target, persona, user, response)
            problems += check_text(target, persona, response, logins)
            if custodian:
                continue
            problems += _sentinels(target.path, target.route.name, persona, response)
            for path, name in sentinel.exports(target):
                exported += 1
                response = client.get(path)
                if response.status_code >= 500:
                    problems.append(f"GET {path} ({name}) as {persona}: {response.status_code}")
                problems += _sentinels(path, name, persona, response)
    assert exported > 100  # the exports really were read
    problems += sentinel.leaks_at_rest(caplog.records)
    for name, kwargs, persona, expected in EXPLICIT:
        path = reverse(name, kwargs=kwargs(world))
        status = seen.get((path, persona))
        if status is None:
            login(client, world.users[persona])
            status = client.get(path).status_code
        if status != expected:
            problems.append(f"GET {path} ({name}) as {persona}: expected {expected}, got {status}")

    assert len(seen) == len({t.path for t in targets}) * (len(world.users) + 1)
    assert not problems, f"爬取发现 {len(problems)} 处问题：\n" + "\n".join(problems)
