"""The generic pages of the shell: errors, planned modules and navigation state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_it_renders_the_500_page_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统暂时出现错误" in html
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert get_template("500.html").render({}) == html


def test_the_platform_runs_without_debug_unless_asked(tmp_path: Path) -> None:
    """`make run` starts with no DEBUG in its environment: Django's English debug pages must not appear."""
    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "ZHIBEN_ENV", "ZHIBEN_TESTING")}
    script = "import zhiben.settings as s; print(s.DEBUG)"

    def debug(**extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(root), **extra},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert debug() == "False"
    assert debug(DEBUG="1") == "True"


def test_it_serves_the_chinese_404_page_for_an_unknown_address(client, world):
    client.force_login(world.yingtian)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and "Page not found" not in html and "URLconf" not in html


def test_it_explains_a_404_without_saying_whether_the_record_exists(client, world):
    client.force_login(world.yingtian)
    response = client.get(world.enterprises["qiye2"].get_absolute_url())
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


def test_it_shows_a_planned_module_plainly(client, world):
    client.force_login(world.yingtian)
    response = client.get(reverse("core:planned", args=["hazards"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "本模块尚未上线" in html and "隐患清单" in html and "三(三)5–6" in html
    assert client.get(reverse("core:planned", args=["nonsense"])).status_code == 404


def test_it_marks_the_current_page_in_the_sidebar_and_hides_what_the_user_cannot_see(client, world):
    client.force_login(world.yingtian)
    html = client.get(reverse("registry:enterprise_list")).content.decode()
    assert f'class="zb-nav-item active" href="{reverse("registry:enterprise_list")}"' in html
    assert "用户与角色" not in html
    assert 'action="/accounts/logout/"' in html


def test_it_loads_only_vendored_assets(client, world):
    client.force_login(world.anweiban)
    html = client.get(reverse("dashboard:home")).content.decode()
    assert "vendor/echarts/echarts.min.js" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
