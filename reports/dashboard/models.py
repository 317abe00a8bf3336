"""The dashboard's own row: its figures counted once a minute (reports.dashboard.figures.refresh_snapshot)."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardSnapshot(models.Model):
    """The committee's and the office's dashboard figures, one row per language, computed every minute by beat
    (``reports.refresh_dashboard``, ``reports.dashboard.figures.refresh_snapshot``) so the page reads one row instead of
    aggregating 300,000 reports at every load; the page says when (数据更新于 HH:MM) and computes the figures
    itself when the row is older than ``DASHBOARD_SNAPSHOT_MAX_AGE`` (beat stopped) or missing."""

    language = models.CharField(_("语言"), max_length=10, primary_key=True)
    computed_at = models.DateTimeField(_("统计时间"))
    figures = models.JSONField(_("统计数据"), encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("看板统计")
        verbose_name_plural = _("看板统计")

    def __str__(self):
        return f"{self.language} {self.computed_at:%Y-%m-%d %H:%M}"
