"""The audit log (审计日志): one append-only table chained with HMAC-SM3 (R22–R24)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..scoping import ScopedQuerySet


class AuditEntryQuerySet(ScopedQuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("audit entries are append-only")

    def delete(self):  # type: ignore[no-untyped-def]
        raise PermissionError("audit entries are append-only")


class AuditEntry(models.Model):
    """审计记录: who did what to which object, when; `mac` chains it to the row before it in its chain.

    `seq` orders every row of the log (on PostgreSQL from a sequence: a rolled-back transaction leaves a gap);
    `chain`/`chain_seq` place the row in one of the parallel chains (`core.audit.CHAINS`), where numbering has
    no gaps and each row's MAC covers the MAC before it."""

    seq = models.BigIntegerField(_("序号"), unique=True)
    chain = models.PositiveSmallIntegerField(_("链"), default=1)
    chain_seq = models.BigIntegerField(_("链内序号"))
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    actor_roles = models.CharField(_("角色"), max_length=200, blank=True)
    event = models.CharField(_("事件"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    outcome = models.CharField(_("结果"), max_length=16, default="success")
    data = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    prev_mac = models.CharField(_("前序校验值"), max_length=64)
    mac = models.CharField(_("本条校验值"), max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [
            # The audit viewer and object history: entries of one object, newest first.
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["chain", "chain_seq"], name="audit_chain_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event} {self.object_repr}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("audit entries are append-only")


class AuditHead(models.Model):
    """A chain's head (id = the chain's number): locked by each writer of that chain so that its numbering and
    MACs never fork. Writers of different chains do not wait for each other."""

    id = models.PositiveSmallIntegerField(_("链"), primary_key=True, default=1)
    seq = models.BigIntegerField(_("链头序号"), default=0)
    mac = models.CharField(_("链头校验值"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.seq}"
