"""Template helpers of the accident register: whether the reader may open 责任倒查 (government readers)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def may_lookback(user: Any) -> bool:
    # Imported when used: the hazard page's template loads this library, and the views pull in half the project.
    from zhiben.accidents.views import may_lookback as allowed

    return allowed(user)
