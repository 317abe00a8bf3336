"""Ticket: the smallest record that moves through the shared workflow core (three roles' worth of states)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, transition

from accounts.models import Role, Unit
from accounts.roles import sees_everything, unit_ids
from workflow.conventions.approval import Conventions
from workflow.engine.base import ProtectedStatusQuerySet, WorkflowModel, condition, perm
from workflow.inbox.workitems import sync


class TicketQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        if sees_everything(user):
            return self.all()
        from workflow.inbox.workitems import assigned_ids

        scope = Q(county__in=unit_ids(user, Role.COUNTY)) | Q(pk__in=assigned_ids(user, Ticket))
        if unit_ids(user, Role.SPECIAL_GROUP):  # the second reviewer sees what was ever submitted
            scope |= Q(submitted_at__isnull=False)
        return self.filter(scope)


@condition("事项内容不能为空。")
def has_body(ticket):
    return bool(ticket.body.strip())


class Ticket(Conventions, WorkflowModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回修改"
        REVIEWING = "reviewing", "复核中"
        ACCEPTED = "accepted", "已受理"

    workflow_key = "ticket"
    display_related = ("county",)
    # The approval conventions (workflow.conventions), one line each.
    conventions = {
        "recall": ["submit"],
        "return_to_step": {"by": ["approve"]},
        "batch": ["accept", "return_to_county"],
        "urge": True,
        "copy": True,
        "phrases": True,
        "sheet": True,
    }

    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", blank=True, default="事项内容")
    county = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="县（市、区）")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    status = FSMField("状态", default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = "测试事项"
        verbose_name_plural = "测试事项"
        ordering = ["id"]

    def __str__(self):
        return f"{self.county} · {self.title}"

    def get_absolute_url(self):
        return reverse("home") + f"#ticket-{self.pk}"

    def units_for_role(self, role):
        if role == Role.COUNTY:
            return [self.county]
        return list(Unit.objects.filter(kind=role))

    def watchers(self):
        from accounts.models import User

        return list(User.objects.filter(memberships__unit_id=self.county_id, is_active=True).distinct())

    def version_data(self):
        return {"fields": {"title": self.title, "body": self.body}, "rows": []}

    @transition(
        field=status,
        source=[Status.DRAFT, Status.RETURNED],
        target=Status.SUBMITTED,
        conditions=[has_body],
        permission=perm("testapp.edit_ticket"),
        custom={"role": Role.COUNTY, "label": "提交事项"},
    )
    def submit(self, *, at=None):
        from django.utils import timezone

        self.submitted_at = at or timezone.now()

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.RETURNED,
        permission=perm("testapp.review_ticket"),
        custom={"role": Role.REFORM_OFFICE, "label": "退回事项", "needs_reason": True},
    )
    def return_to_county(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.ACCEPTED,
        permission=perm("testapp.review_ticket"),
        custom={"role": Role.REFORM_OFFICE, "label": "受理事项"},
    )
    def accept(self):
        pass

    # A second reviewer: instead of accepting, the office may pass the ticket to the special groups (optional, so
    # the office's 待办 still reads 受理事项、退回事项), which approve it or return it to a step it passed.
    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.REVIEWING,
        permission=perm("testapp.review_ticket"),
        custom={"role": Role.REFORM_OFFICE, "label": "报送复核", "optional": True},
    )
    def forward(self):
        pass

    @transition(
        field=status,
        source=Status.REVIEWING,
        target=Status.ACCEPTED,
        permission=perm("testapp.decide_ticket"),
        custom={"role": Role.SPECIAL_GROUP, "label": "复核通过"},
    )
    def approve(self):
        pass


def make_ticket(user, unit_code="nanhu", **fields):
    """A draft ticket of the county ``unit_code`` created by ``user``."""
    fields.setdefault("title", "测试事项")
    ticket = Ticket.objects.create(county=Unit.objects.get(code=unit_code), created_by=user, **fields)
    sync(ticket)  # its work items: created outside perform/change, so the creating code syncs them
    return ticket
