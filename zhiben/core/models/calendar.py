"""Working-day calendar data: per-day overrides and the years whose arrangement has been published."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..scoping import ScopedQuerySet


class CalendarYear(models.Model):
    """A year whose holiday arrangement (国务院办公厅节假日安排) the office has entered by hand.

    Years the chinesecalendar package covers need no row; a later year needs one before deadlines can fall in it.
    """

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("依据"), max_length=200, help_text=_("如：国办发明电〔2026〕X号"))
    published_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")

    def __str__(self) -> str:
        return str(self.year)


class WorkdayOverride(models.Model):
    """One day declared a working day or a day off, overriding weekends and the package data."""

    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("说明"), max_length=50, blank=True, help_text=_("如：春节、国庆节调休上班"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'}"
