"""Transactional outbox (发件箱) and the in-app inbox (站内信)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField


class Channel(models.TextChoices):
    INAPP = "inapp", _("站内信")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class OutboxMessage(models.Model):
    """A message written in the business transaction and delivered at least once by the worker (R33)."""

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Phones and e-mail addresses of people outside the platform (a unit's 主要负责人) are personal data.
    address = EncryptedTextField(_("地址"), blank=True, help_text=_("手机号或邮箱（加密存储）；站内信为空"))
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    topic = models.CharField(_("主题"), max_length=64, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    available_at = models.DateTimeField(_("可投递时间"), db_index=True)
    sent_at = models.DateTimeField(_("投递时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    # A worker claims a message before sending it (outbox.deliver_pending): its key and how long the claim
    # holds. Another worker takes the message only when the claim has lapsed (the first one died or hung).
    claimed_by = models.CharField(_("领取者"), max_length=32, blank=True)
    lease_until = models.DateTimeField(_("领取有效至"), null=True, blank=True)
    # A run that collects digests (outbox.collect_digests) holds its in-app messages under its key; at its end
    # a person's many messages of one kind are folded into one digest (`digest`) instead of being sent.
    batch = models.CharField(_("批次"), max_length=32, blank=True, db_index=True)
    digest = models.ForeignKey(
        "self",
        verbose_name=_("汇总于"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="folded",
    )

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        indexes = [
            # The relay's scan: unsent messages whose time has come.
            models.Index(fields=["sent_at", "available_at"], name="outbox_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.subject}"


class InboxNotification(models.Model):
    """站内信: one delivered in-app message; `message_id` makes redelivery a no-op."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message_id = models.UUIDField(_("消息编号"), unique=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # When the message was written (the event that caused it), not when the worker delivered it.
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内信")
        verbose_name_plural = _("站内信")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_unread_idx")]

    def __str__(self) -> str:
        return self.subject
