"""业务指导记录: the guidance a pilot's guidance unit gave it (seed 三（二）: 市级牵头指导单位承担试点的政策咨询和业务
指导工作). Each record is written through ``workflow.services.change`` on the pilot, so it is a row of the pilot's
timeline (流转记录) with its attachments; this table keeps its date, form and content for the pilot's page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from workflow.models import TransitionLog


class GuidanceRecord(models.Model):
    class Form(models.TextChoices):
        ON_SITE = "on_site", _("现场指导")
        MEETING = "meeting", _("座谈会商")
        POLICY = "policy", _("政策咨询")
        WRITTEN = "written", _("书面指导")
        TRAINING = "training", _("业务培训")
        OTHER = "other", _("其他")

    pilot = models.ForeignKey("pilots.Pilot", on_delete=models.PROTECT, related_name="+", verbose_name=_("试点项目"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("指导单位"))
    given_on = models.DateField(_("指导日期"))
    form = models.CharField(_("指导形式"), max_length=20, choices=Form.choices)
    content = models.TextField(_("指导内容"))
    log = models.OneToOneField(
        TransitionLog, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("流转记录")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("业务指导记录")
        verbose_name_plural = _("业务指导记录")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["pilot", "given_on"], name="guidance_by_pilot")]

    def __str__(self):
        return _("%(day)s %(form)s") % {"day": self.given_on.isoformat(), "form": self.get_form_display()}
