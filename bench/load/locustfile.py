"""A working day on the platform, for `make load` (bench/load/run.py starts the servers and this scenario).

Who does what, in proportion to a district's real use:
* officials (区安委办, departments, townships) browse the workbench, the hazard ledger at several depths, the
  major-hazard list, statistics, the enterprise register and the indicators;
* inspectors (department staff) open their inspections on a phone and record check items;
* enterprises read their workbench and hazards and file 整改进展 on the hazards they are rectifying;
* the public submits tips through the portal (each visitor from its own address, as behind the proxy);
* a gateway reads the API with a token;
* a health probe requests /healthz, the floor every other figure is compared with.

Each simulated person signs in once and keeps the session, as a browser does. A 409 on 整改进展 (two people of one
unit saving the same hazard at once) is the platform refusing a stale write, as it must: it is counted under its
own name, not as an error. Anything else that is not 2xx/3xx is an error.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from typing import Any

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("ZHIBEN_DEMO_PASSWORD", "Demo#2024-Safe")
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
OFFICIALS = (
    "anweiban",
    "yingji",
    "zhujian",
    "jiaotong",
    "xiaofang",
    "shichang",
    "tianwen",
    "yingtian",
    "heshi",
)
INSPECTORS = ("yingji", "zhujian", "xiaofang", "shichang")
ENTERPRISES = ("qiye1", "qiye2", "qiye3")

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')
PLACE = re.compile(r'<option value="(\d+)"')
HAZARD_LINK = re.compile(r'href="/hazards/(\d+)/"')
INSPECTION_LINK = re.compile(r'href="/inspections/(\d+)/"')
ANSWER_FORM = re.compile(r'action="(/inspections/\d+/items/\d+/answer/)"')
START_FORM = re.compile(r'action="(/inspections/\d+/start/)"')
TIP_TEXTS = (
    "某五金加工厂车间内堆放大量油漆桶，消防通道被货物堵塞，晚上还有工人住在厂房里。",
    "村口加油站旁边的小作坊在室内违规使用液化气钢瓶，钢瓶没有减压阀，气味很大。",
    "建筑工地塔吊司机没有证件，昨天下午吊装时钢管从高处掉落，差点砸到人。",
)


def _ip() -> str:
    return f"{random.randint(11, 223)}.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(text)
    return m.group(1) if m else None


class Person(HttpUser):
    abstract = True
    logins: tuple[str, ...] = ()
    user_agent = ""

    def on_start(self) -> None:
        self.address = _ip()
        self.client.headers["X-Forwarded-For"] = self.address
        if self.user_agent:
            self.client.headers["User-Agent"] = self.user_agent
        if not self.logins:
            return
        self.username = random.choice(self.logins)
        page = self.client.get("/accounts/login/", name="登录页")
        csrf = _first(CSRF, page.text) or ""
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="登录",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"登录失败：{self.username} {r.status_code}")

    def post_form(self, url: str, data: dict[str, Any], *, name: str, page: str) -> Any:
        data = {**data, "csrfmiddlewaretoken": _first(CSRF, page) or ""}
        return self.client.post(
            url,
            data,
            headers={"Referer": f"{self.host}{url}"},
            name=name,
            allow_redirects=False,
            catch_response=True,
        )


class Official(Person):
    weight = 40
    wait_time = between(2, 8)
    logins = OFFICIALS

    @task(4)
    def workbench(self) -> None:
        self.client.get("/", name="待办工作台")

    @task(4)
    def ledger(self) -> None:
        page = random.choice((1, 1, 2, 5, 20))
        self.client.get(f"/hazards/?page={page}", name="隐患台账（翻页）")

    @task(2)
    def ledger_filtered(self) -> None:
        self.client.get("/hazards/?level=major", name="隐患台账（筛选）")

    @task(2)
    def major(self) -> None:
        page = self.client.get("/hazards/major/", name="重大事故隐患清单")
        ids = HAZARD_LINK.findall(page.text)
        if ids:
            self.client.get(f"/hazards/{random.choice(ids)}/", name="隐患详情")

    @task(3)
    def statistics(self) -> None:
        self.client.get("/hazards/stats/", name="隐患统计分析")

    @task(2)
    def enterprises(self) -> None:
        self.client.get(f"/registry/enterprises/?page={random.choice((1, 1, 3))}", name="生产经营单位台账")

    @task(1)
    def indicators(self) -> None:
        self.client.get("/indicators/", name="指标库")


class Inspector(Person):
    weight = 15
    wait_time = between(3, 10)
    logins = INSPECTORS
    user_agent = PHONE_UA

    @task
    def check(self) -> None:
        mine = self.client.get("/inspections/mine/", name="我的检查（手机）")
        ids = INSPECTION_LINK.findall(mine.text)
        if not ids:
            return
        url = f"/inspections/{random.choice(ids)}/"
        page = self.client.get(url, name="检查详情（手机）")
        start = _first(START_FORM, page.text)
        if start:  # a planned visit: the leader starts it on site
            data = {"location": "现场", "version": _first(VERSION, page.text) or ""}
            with self.post_form(start, data, name="开始现场检查", page=page.text) as r:
                if r.status_code in (302, 409):  # 409: a teammate started it a moment before
                    r.success()
                else:
                    r.failure(f"{r.status_code}")
            page = self.client.get(url, name="检查详情（手机）")
        forms = ANSWER_FORM.findall(page.text)
        if not forms:
            return
        with self.post_form(random.choice(forms), {"result": "pass"}, name="填写检查项", page=page.text) as r:
            if r.status_code not in (200, 302):
                r.failure(f"{r.status_code}")


class Enterprise(Person):
    weight = 25
    wait_time = between(3, 10)
    logins = ENTERPRISES

    @task(3)
    def workbench(self) -> None:
        self.client.get("/", name="待办工作台")

    @task(2)
    def progress(self) -> None:
        listing = self.client.get("/hazards/?status=rectifying", name="本单位隐患")
        ids = HAZARD_LINK.findall(listing.text)
        if not ids:
            return
        url = f"/hazards/{random.choice(ids)}/step/progress/"
        form = self.client.get(url, name="填报整改进展（表单）")
        if form.status_code != 200:
            return
        data = {"content": "已完成部分整改，正在采购防爆电气设备。", "percent": random.randint(10, 90)}
        version = _first(VERSION, form.text)
        if version:
            data["version"] = version
        with self.post_form(url, data, name="填报整改进展", page=form.text) as r:
            if r.status_code == 409:
                r.success()  # a stale write refused: counted below under its own name
                events.request.fire(
                    request_type="POST",
                    name="填报整改进展（409 冲突）",
                    response_time=r.elapsed.total_seconds() * 1000,
                    response_length=0,
                    exception=None,
                    context={},
                )
            elif r.status_code not in (200, 302):
                r.failure(f"{r.status_code}")


class Public(Person):
    weight = 8
    wait_time = between(10, 30)

    @task
    def tip(self) -> None:
        self.client.headers["X-Forwarded-For"] = _ip()  # every submission from its own visitor
        page = self.client.get("/tips/", name="举报页")
        data = {
            "category": "hazard",
            "text": random.choice(TIP_TEXTS),
            "token": _first(TOKEN, page.text) or "",
            "place": _first(PLACE, page.text) or "",
        }
        with self.post_form("/tips/", data, name="提交举报", page=page.text) as r:
            if r.status_code != 200 or "举报编号" not in r.text:
                r.failure(f"{r.status_code}")


class Gateway(HttpUser):
    weight = 7
    wait_time = between(1, 5)
    started = itertools.count(1)

    def on_start(self) -> None:
        # Each gateway is its own client: a token is one per client name, and asking again under the same
        # name rotates it (the other gateways' keys would stop working: 401).
        client = f"负载测试网关{next(self.started)}"
        r = self.client.post(
            "/api/v1/auth/token/",
            json={"username": "yingji", "password": PASSWORD, "name": client},
            name="API 令牌",
        )
        self.client.headers["Authorization"] = f"Token {r.json().get('token', '')}"

    @task(3)
    def hazards(self) -> None:
        first = self.client.get("/api/v1/hazards/", name="API 隐患列表")
        following = first.json().get("next") if first.status_code == 200 else None
        if following:
            self.client.get(following, name="API 隐患列表（下一页）")

    @task(1)
    def enterprises(self) -> None:
        self.client.get("/api/v1/enterprises/", name="API 单位列表")


class Probe(HttpUser):
    weight = 5
    wait_time = between(1, 3)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="/healthz")
