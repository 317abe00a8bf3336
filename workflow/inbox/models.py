"""The inbox's records: assignments, work items (我的待办 as rows) and deputyships (代理, acting while away)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from accounts.roles import memberships

from ..engine.models import TransitionLog, _now
from ..engine.registry import action_label


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Assignment(models.Model):
    """A unit in a role, or a named person, given a part on one record (the pilot's guidance unit, an invited
    expert, an inspection team). ``acts`` assignments say who takes the record's steps in that role (they
    replace ``units_for_role`` for it); the others only let the assignee read the record while active."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    target = GenericForeignKey("content_type", "object_id")
    role = models.CharField(_("角色"), max_length=20)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("人员"),
    )
    purpose = models.CharField(_("用途"), max_length=40, blank=True)
    acts = models.BooleanField(_("承办"), default=True, help_text=_("否：仅在有效期间可以查看该记录"))
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("指派人"),
    )
    created_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("指派")
        verbose_name_plural = _("指派")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "role"], condition=models.Q(active=True), name="assignment_object"
            ),
            models.Index(
                fields=["unit", "content_type"], condition=models.Q(active=True), name="assignment_unit_active"
            ),
            models.Index(
                fields=["user", "content_type"], condition=models.Q(active=True), name="assignment_user_active"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(user__isnull=False), name="assignment_unit_or_user"
            ),
        ]

    def __str__(self):
        return f"{self.user or self.unit} · {self.role}"


class WorkItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True, opened_at__lte=timezone.now())

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def open_for(self, user):
        """The user's open items, in one indexed query: items for any (unit, role) the user holds, or named
        to the user. Reads the memberships cached on the user (no extra query once they are loaded)."""
        scope = models.Q()
        for part in todo_scopes(user):
            scope |= part
        return self.open().filter(scope)

    def in_order(self):
        """Overdue first, then by due date, undated last, then the longest waiting (the overdue items are the
        ones with the earliest due dates, so one plain ordering does it)."""
        return self.order_by(models.F("due_at").asc(nulls_last=True), "opened_at", "id")


def todo_scopes(user):
    """The parts of ``open_for``: the items named to the user, then those of each (unit, role) the user holds
    (each part reads its own index in 我的待办's order: workflow.inbox.todo merges them on PostgreSQL), then those
    named to colleagues the user deputises today (代理, ``workflow.inbox.deputies``), a part only a deputy has:
    whether the user deputises anyone is one small query (``deputising``, read once a request), and most users'
    scopes then carry no subquery at all.

    The parts are disjoint (named to the user; to nobody, for one (unit, role) each; named to another user), so
    counts may be added up part by part (``workflow.inbox.todo.header_counts``). The deputies' part names the absent
    colleagues' ids (``user_id IN``): without it the database cannot narrow that part by an index and reads every
    open item of everyone for it (2-45 ms a page at national scale, JIT compilation included).

    Built once per user object (a request's user, like its memberships in ``accounts.roles``): the header's count,
    the page's rows and the filtered list all read them, and building the deputies' subqueries costs more Python
    than their SQL costs the database."""
    cached = getattr(user, "_todo_scopes_cache", None)
    if cached is None:
        cached = [models.Q(user_id=user.pk)] + [
            models.Q(unit_id=m.unit_id, role=m.role, user__isnull=True) for m in memberships(user)
        ]
        absent = sorted({row.user_id for row in deputising(user)})
        if absent:
            cached.append(models.Q(user_id__in=absent) & todo_scope(user))
        user._todo_scopes_cache = cached
    return list(cached)


class WorkItem(models.Model):
    """One open task on one record for a unit in a role, or for a named person (我的待办 reads only this table).

    ``derived`` items are written by ``workflow.inbox.workitems.sync_items`` from the django-fsm definitions; the
    others are opened and closed by a service (``open_item``/``close_items``). Title and URL are copied in so
    the list never loads the records; ``action`` holds transition names, shown through ``action_label``."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    target = GenericForeignKey("content_type", "object_id")
    workflow = models.CharField(_("流程"), max_length=40)
    title = models.CharField(_("事项"), max_length=300)
    url = models.CharField(_("链接"), max_length=300)
    action = models.CharField(_("待办操作"), max_length=200)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位")
    )
    role = models.CharField(_("角色"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("承办人"),
    )
    derived = models.BooleanField(_("由流程生成"), default=True)
    opened_at = models.DateTimeField(_("待办开始时间"), default=_now)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("办结人"),
    )
    closed_log = models.ForeignKey(
        TransitionLog, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("办结记录")
    )

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("待办事项")
        verbose_name_plural = _("待办事项")
        ordering = ["opened_at", "id"]
        indexes = [
            models.Index(
                fields=["unit", "role", "opened_at"],
                condition=models.Q(closed_at__isnull=True),
                name="workitem_open_unit_role",
            ),
            models.Index(
                fields=["user", "opened_at"], condition=models.Q(closed_at__isnull=True), name="workitem_open_user"
            ),
            # The header's count of a (unit, role) scope (items named to nobody): an index-only count, where the
            # index above also holds the items named to a person and sent the count to the table (5,000 rows).
            models.Index(
                fields=["unit", "role", "opened_at"],
                condition=models.Q(closed_at__isnull=True, user__isnull=True),
                name="workitem_waiting_unit_role",
            ),
            models.Index(fields=["content_type", "object_id", "closed_at"], name="workitem_object"),
            # 我的待办's order (overdue first, by due date, undated last, longest waiting), per scope: a page is
            # the first rows of these indexes, not a sort of every open item (PostgreSQL's ascending order keeps
            # nulls last, as in_order() asks).
            models.Index(
                fields=["unit", "role", "due_at", "opened_at", "id"],
                condition=models.Q(closed_at__isnull=True),
                name="workitem_todo_unit_order",
            ),
            models.Index(
                fields=["user", "due_at", "opened_at", "id"],
                condition=models.Q(closed_at__isnull=True),
                name="workitem_todo_user_order",
            ),
            # Waiting time per unit waited on (reports.time_in_stage): one workflow's items, read from the index.
            models.Index(fields=["workflow", "unit", "opened_at", "closed_at"], name="workitem_wait_times"),
        ]

    def __str__(self):
        return f"{self.title} · {self.action}"

    @property
    def kind(self):
        """The record type's name (the lists select_related the content type, so this costs no query)."""
        model = self.content_type.model_class()
        return model._meta.verbose_name if model else ""

    @property
    def action_label(self):
        return "、".join(action_label(n if "." in n else f"{self.workflow}.{n}") for n in self.action.split(",") if n)

    @property
    def overdue(self):
        return bool(self.due_at and self.closed_at is None and self.due_at < _now())

    @property
    def deadline(self):
        return self.due_at


class DeputyshipQuerySet(models.QuerySet):
    def active(self, day=None):
        """In force on ``day`` (today, Asia/Shanghai, by default): started, not yet ended, not cancelled."""
        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day, cancelled_at__isnull=True)


class Deputyship(models.Model):
    """代理: while ``user`` is away (``starts_on``..``ends_on``, both days included) ``deputy``, a colleague of the
    same unit and role, sees the user's 待办 in that role and acts for the user (``workflow.inbox.deputies``)."""

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


# Read by ``todo_scopes`` (so by every 我的待办 query) and by ``workflow.inbox.deputies``.
_CACHE = "_deputy_for_cache"


def deputising(user):
    """The deputyships in force today in which ``user`` is the deputy, with the absent users (one query, cached on
    the user object for the request)."""
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = list(Deputyship.objects.active().filter(deputy_id=user.pk).select_related("user", "unit"))
        setattr(user, _CACHE, cached)
    return cached


def todo_scope(user):
    """Rows (work items, assignments) named to a colleague the user deputises today, in that deputyship's role: a
    subquery on ``user_id`` and ``role``, no query of its own."""
    return Q(
        Exists(
            Deputyship.objects.active()
            .filter(deputy_id=user.pk, user_id=OuterRef("user_id"), role=OuterRef("role"))
            .filter(Exists(_colleague_of(user)))
        )
    )


def _colleague_of(user):
    """The deputy still holds the deputyship's unit and role (a subquery on the deputyship row)."""
    return Membership.objects.filter(user_id=user.pk, unit_id=OuterRef("unit_id"), role=OuterRef("role"))
