"""Rows of the approval conventions (``workflow.conventions``): urgings, copies, saved phrases, openings, deputies."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import TransitionLog


def _user(name, **kw):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=name, **kw
    )


def _unit(name):
    return models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=name
    )


class RecordRowQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Urging(models.Model):
    """催办: the office urged whoever a record waits on (a unit, or a named person), at most once a day each."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    unit = _unit(_("被催办单位"))
    user = _user(_("被催办人"), null=True, blank=True)
    day = models.DateField(_("催办日期"), default=timezone.localdate)
    urged_by = _user(_("催办人"))
    log = models.ForeignKey(TransitionLog, on_delete=models.PROTECT, related_name="+", verbose_name=_("流转记录"))
    created_at = models.DateTimeField(_("催办时间"), default=timezone.now)

    objects = RecordRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = _("催办")
        ordering = ["created_at", "id"]
        constraints = [
            # Once a day per record and unit (or person): the database refuses a second one even in a race.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "unit", "day"],
                condition=Q(unit__isnull=False),
                name="urging_once_a_day_unit",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user", "day"],
                condition=Q(unit__isnull=True),
                name="urging_once_a_day_user",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="urging_object")]

    def __str__(self):
        return f"{self.unit or self.user} · {self.day}"


class Copy(models.Model):
    """抄送/传阅: a record copied to a unit or a person, who may read it; read once any of them opened it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    title = models.CharField(_("事项"), max_length=300)
    url = models.CharField(_("链接"), max_length=300)
    unit = _unit(_("传阅单位"))
    user = _user(_("传阅人"), null=True, blank=True)
    copied_by = _user(_("抄送人"))
    log = models.ForeignKey(TransitionLog, on_delete=models.PROTECT, related_name="+", verbose_name=_("流转记录"))
    created_at = models.DateTimeField(_("抄送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = RecordRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("传阅")
        verbose_name_plural = _("传阅")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__isnull=False) | Q(user__isnull=False), name="copy_unit_or_user")
        ]
        indexes = [
            models.Index(fields=["unit", "created_at"], name="copy_unit"),
            models.Index(fields=["user", "created_at"], name="copy_user"),
        ]

    def __str__(self):
        return f"{self.title} → {self.unit or self.user}"


class SavedPhrase(models.Model):
    """常用意见: a user's own phrase for comment boxes (the defaults per action live in the code)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_phrases", verbose_name=_("用户")
    )
    text = models.CharField(_("意见内容"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("常用意见")
        verbose_name_plural = _("常用意见")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "text"], name="saved_phrase_unique")]

    def __str__(self):
        return self.text


class Opening(models.Model):
    """Someone the record waited on opened it (recall is possible only before that)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("查看人")
    )
    log = models.ForeignKey(TransitionLog, on_delete=models.CASCADE, related_name="+", verbose_name=_("流转记录"))
    at = models.DateTimeField(_("查看时间"), default=timezone.now)

    objects = RecordRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理人查看")
        verbose_name_plural = _("办理人查看")
        constraints = [models.UniqueConstraint(fields=["log", "user"], name="opening_once")]
        indexes = [models.Index(fields=["content_type", "object_id"], name="opening_object")]

    def __str__(self):
        return f"{self.user} · {self.at}"


class DeputyshipQuerySet(models.QuerySet):
    def active(self, day=None):
        """In force on ``day`` (today, Asia/Shanghai, by default): started, not yet ended, not cancelled."""
        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day, cancelled_at__isnull=True)


class Deputyship(models.Model):
    """代理: while ``user`` is away (``starts_on``..``ends_on``, both days included) ``deputy``, a colleague of the
    same unit and role, sees the user's 待办 in that role and acts for the user (``workflow.deputies``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deputyships", verbose_name=_("被代理人")
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deputising", verbose_name=_("代理人")
    )
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=20)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = DeputyshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("代理")
        verbose_name_plural = _("代理")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="deputyship_dates_in_order"),
            models.CheckConstraint(condition=~Q(deputy=models.F("user")), name="deputyship_not_oneself"),
        ]
        indexes = [
            models.Index(
                fields=["deputy", "ends_on"], condition=Q(cancelled_at__isnull=True), name="deputyship_deputy"
            ),
            models.Index(fields=["user", "ends_on"], condition=Q(cancelled_at__isnull=True), name="deputyship_user"),
        ]

    def __str__(self):
        return f"{self.deputy} → {self.user} · {self.starts_on}–{self.ends_on}"
