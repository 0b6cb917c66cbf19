"""A record of every background job run (jobs are idempotent; the record shows what they did).

A run holds a lease: the worker process that runs it (`worker`, host:pid) and the time by which it must have
ended (`lease_until`). A run still 运行中 whose worker process is gone, or whose lease has passed on another
host, was abandoned when its worker died; `jobs.reap_stale_runs` ends it (resumed or failed)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """后台任务运行记录."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")

    name = models.CharField(_("任务"), max_length=100, db_index=True)
    args = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    worker = models.CharField(_("运行进程"), max_length=100, blank=True)
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务运行记录")
        verbose_name_plural = _("任务运行记录")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M}"
