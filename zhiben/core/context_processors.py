"""Template context shared by every page: the navigation filtered by what the user may see, and the count of the
user's 待办 on the 工作台 link (lazy: counted only when a page draws the navigation, cached a minute per user;
anonymous visitors and the public tips portal, which draws no navigation, never count)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import workbench
from .navigation import MODULES, fixed_url
from .scoping import can, grants_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    modules = []
    urls: list[str] = []
    for m in MODULES:
        items = []
        for item in m.items:
            if item.url_name is None:
                continue
            if item.model and not can(user, "view", apps.get_model(item.model)):
                continue
            url = fixed_url(item.url_name)
            items.append({"label": item.label, "url": url})
            urls.append(url)
        if m.built and not items:
            continue  # built, but nothing in it for this user
        modules.append(
            {
                "key": m.key,
                "label": m.label,
                "icon": m.icon,
                "items": items,
                "built": m.built,
                "planned_url": fixed_url("core:planned", m.key),
            }
        )
    unread = user.notifications.filter(read_at__isnull=True).count()
    roles = sorted({g.label or g.role for g in grants_for(user)})
    # The one item to highlight: the longest item URL the page lies under (/hazards/stats/ is 统计分析,
    # not also 隐患台账 at /hazards/).
    current = max((u for u in urls if request.path.startswith(u)), key=len, default="")
    return {
        "nav_modules": modules,
        "nav_current": current,
        "unread_notifications": unread,
        "user_role_labels": roles,
        "workbench_due": SimpleLazyObject(lambda: workbench.due_count(user)),
    }
