"""Error types shared by every app; the API and the views translate them to HTTP statuses."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the action (HTTP 400). Apps subclass it once each."""

    status_code = 400
    default_message = _("操作不符合业务规则。")

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = str(message or self.default_message)
        self.field = field
        super().__init__(self.message)


class Conflict(DomainError):
    """Someone else changed the record first (compare-and-swap lost; HTTP 409)."""

    status_code = 409
    default_message = _("该记录已被他人修改，请刷新后重试。")


class NotPermitted(DomainError):
    """The actor may not perform this action on this object (HTTP 403)."""

    status_code = 403
    default_message = _("您无权执行此操作。")
