"""The county's application (《县域集成改革试点申报表》) and its way to the committee's decision."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import ReformArea, Role, Unit, User
from accounts.roles import sees_everything, unit_ids
from pilots.models import Batch, Pilot
from workflow.conventions.approval import Conventions
from workflow.conventions.opinions import all_answered, opinions_for
from workflow.engine.base import ProtectedStatusQuerySet, WorkflowModel, condition, perm
from workflow.inbox.workitems import assigned_ids

# The form's fields in the order of the official table; each becomes a labelled row in the page,
# the print view and the version diff.
FORM_FIELDS = [
    "project_name",
    "area",
    "lead_department",
    "cooperating_departments",
    "leader_name",
    "leader_post",
    "leader_phone",
    "contact_name",
    "contact_post",
    "contact_phone",
    "contact_email",
    "reform_foundation",
    "goals",
    "main_tasks",
    "integration_tasks",
    "integration_measures",
    "integration_forces",
    "integration_results",
    "expected_results",
    "schedule",
    "safeguards",
    "risk_assessment",
    "support_requested",
]
# The purpose of the special group's opinion (registered with its verdicts in apps.py).
RECOMMENDATION = "recommendation"
LONG_FIELDS = set(FORM_FIELDS[FORM_FIELDS.index("reform_foundation") :])
OPTIONAL_ON_SUBMIT = {"cooperating_departments", "contact_post", "contact_email", "support_requested"}


def sql_states(states):
    """A SQL list of state values, e.g. ('planning', 'implementing'), for the trigger functions."""
    return "(" + ", ".join(f"'{s.value if hasattr(s, 'value') else s}'" for s in states) + ")"


class ApplicationQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        """County: its own; special group: its field; guidance unit: what it guides (once ever submitted);
        a unit or person asked for an opinion: what it was asked about (its assignment); office, committee: all."""

        if sees_everything(user):
            return self.all()
        groups = unit_ids(user, Role.SPECIAL_GROUP)
        guides = unit_ids(user, Role.GUIDANCE_UNIT)
        own = Q(county__in=unit_ids(user, Role.COUNTY))
        assigned = assigned_ids(user, Application)
        if not groups and not guides:
            # A county's or a named person's records are few among 60,000: their ids are merged from two indexed
            # reads (UNION) instead of one OR that read every application (60-90 ms a list page nationally, 7 ms).
            rows = self.model.objects
            return self.filter(pk__in=rows.filter(own).values("pk").union(rows.filter(pk__in=assigned).values("pk")))
        # A special group's field or a guidance unit's pilots are a large share: the list reads its own index in
        # order and keeps the rows in scope (a union's semi-join read it all to find 20 rows).
        scope = own | Q(pk__in=assigned)
        if groups:
            areas = Unit.objects.filter(pk__in=groups).exclude(area="").values("area")
            scope |= (Q(candidate__lead_group__in=groups) | Q(area__in=areas)) & Q(submitted_at__isnull=False)
        if guides:
            # The suggested guidance unit, and the one the office assigned to the pilot it became.
            scope |= (Q(candidate__guidance_unit__in=guides) | Q(pilot__guidance_unit__in=guides)) & Q(
                submitted_at__isnull=False
            )
        return self.filter(scope)

    def live(self):
        return self.exclude(status=Application.Status.WITHDRAWN)

    def editable(self):
        return self.filter(status__in=Application.EDITABLE)

    def decided(self):
        return self.filter(status__in=Application.DECIDED)

    def waiting_for_office(self):
        return self.filter(status__in=Application.WAITING_FOR_OFFICE)


@condition(_("申报批次不在申报时间内，不能提交。"))
def batch_window_open(app):
    """The window limits the first submission only: an application returned for revision may come back."""
    return app.submitted_at is not None or app.batch.window_is_open()


@condition(_("该县（市、区）正在开展集成改革试点，按照工作方案不再申报。"))
def county_not_running_pilot(app):
    annotated = getattr(app, "county_runs_pilot", None)  # set by list selectors to keep queries flat
    if annotated is not None:
        return not annotated

    return not Pilot.objects.running().filter(county_id=app.county_id).exists()


@condition(_("尚未征求专项小组牵头单位意见，或意见尚未全部答复，不能提出试点建议。"))
def opinions_complete(app):

    return all_answered(app, RECOMMENDATION)


class Application(Conventions, WorkflowModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回修改")
        CONSULTING = "consulting", _("征求意见中")
        RECOMMENDED = "recommended", _("已建议列为试点")
        NOT_RECOMMENDED = "not_recommended", _("不建议列为试点")
        APPROVED = "approved", _("已确定为试点")
        REJECTED = "rejected", _("不予确定")
        WITHDRAWN = "withdrawn", _("已撤回")

    workflow_key = "application"
    display_related = ("county",)
    # The approval conventions of the core (workflow.conventions), one line each.
    conventions = {
        "recall": ["submit"],
        # The committee may return a recommended application to the county's submission or to the office's
        # recommendation; that party's resubmission comes straight back to the committee.
        "return_to_step": {"by": ["approve"], "steps": ["submit", "recommend", "not_recommend"]},
        "batch": ["request_opinion", "return_to_county"],
        "urge": True,
        "copy": True,
        "phrases": True,
        "sheet": True,
    }
    EDITABLE = [Status.DRAFT, Status.RETURNED]
    # Submitted at least once and not yet decided by the committee: a batch cannot be marked decided while any
    # application is here (a draft never submitted cannot be submitted after the window and does not count).
    UNDECIDED = [Status.SUBMITTED, Status.RETURNED, Status.CONSULTING, Status.RECOMMENDED, Status.NOT_RECOMMENDED]
    # With the office before its recommendation: the recommendation list cannot be sent while any is here.
    BEFORE_RECOMMENDATION = [Status.SUBMITTED, Status.RETURNED, Status.CONSULTING]
    RECOMMENDATION_MADE = [Status.RECOMMENDED, Status.NOT_RECOMMENDED]
    BEFORE_DECISION = [
        Status.DRAFT,
        Status.SUBMITTED,
        Status.RETURNED,
        Status.CONSULTING,
        Status.RECOMMENDED,
        Status.NOT_RECOMMENDED,
    ]
    # Decided by the committee (approved or not): nothing moves any more except through a pilot.
    DECIDED = [Status.APPROVED, Status.REJECTED]
    # Waiting on the office's review (the office's 我的待办 and the dashboards' waiting times count these).
    WAITING_FOR_OFFICE = [Status.SUBMITTED, Status.CONSULTING]
    # Entering the process (created or submitted): a county running a pilot may not (seed 二（二）; a trigger).
    ENTERING = [Status.DRAFT, Status.SUBMITTED]

    batch = models.ForeignKey(
        "pilots.Batch", on_delete=models.PROTECT, related_name="applications", verbose_name=_("批次")
    )
    candidate = models.ForeignKey(
        "pilots.Candidate", on_delete=models.PROTECT, related_name="applications", verbose_name=_("候选项目")
    )
    county = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申报单位"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    status = FSMField(_("状态"), default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True)

    project_name = models.CharField(_("试点项目名称"), max_length=120)
    area = models.CharField(_("改革领域"), max_length=20, choices=ReformArea.choices)
    lead_department = models.CharField(_("县级牵头部门"), max_length=100, blank=True)
    cooperating_departments = models.CharField(_("县级配合部门"), max_length=300, blank=True)
    leader_name = models.CharField(_("分管领导姓名"), max_length=30, blank=True)
    leader_post = models.CharField(_("分管领导职务"), max_length=60, blank=True)
    leader_phone = models.CharField(_("分管领导电话"), max_length=30, blank=True)
    contact_name = models.CharField(_("联系人姓名"), max_length=30, blank=True)
    contact_post = models.CharField(_("联系人职务"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系人电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系人邮箱"), blank=True)
    reform_foundation = models.TextField(_("改革基础"), blank=True)
    goals = models.TextField(_("改革目标"), blank=True)
    main_tasks = models.TextField(_("主要任务和举措"), blank=True)
    integration_tasks = models.TextField(_("任务集成"), blank=True)
    integration_measures = models.TextField(_("措施集成"), blank=True)
    integration_forces = models.TextField(_("力量集成"), blank=True)
    integration_results = models.TextField(_("成果集成"), blank=True)
    expected_results = models.TextField(_("预期成果"), blank=True, help_text=_("含制度成果和可复制推广的经验做法"))
    schedule = models.TextField(_("进度安排"), blank=True)
    safeguards = models.TextField(_("保障措施"), blank=True)
    risk_assessment = models.TextField(_("初步风险评估"), blank=True)
    support_requested = models.TextField(_("需市级层面支持的事项"), blank=True)

    meeting_ref = models.CharField(_("会议届次"), max_length=60, blank=True, help_text=_("例如：市委改革委第3次会议"))
    submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("试点申报")
        verbose_name_plural = _("试点申报")
        ordering = ["-updated_at", "-id"]
        # The list's order (newest change first) read from an index, not by sorting every row.
        indexes = [models.Index(fields=["-updated_at", "-id"], name="application_list_order")]

    # Meta's rules are written from the state groups above (a nested class cannot see them, so they are set
    # here, in the class body, before Django reads Meta).
    Meta.constraints = [
        # Seed 二（二）： 同一批试点项目一个县（市、区）最多申报一个 (a withdrawn one no longer counts).
        models.UniqueConstraint(
            fields=["batch", "county"],
            condition=~Q(status=Status.WITHDRAWN),
            name="application_one_live_per_county_batch",
        ),
    ]
    # PostgreSQL keeps the two rules that span tables even for writes that bypass the services; on other
    # databases the services' checks (made with the batch and county rows locked) are the guard. The SQL is
    # generated from the state groups (this model's, Batch's and Pilot's), never from a second list of names.
    Meta.triggers = [
        pgtrigger.Trigger(
            name="application_submit_in_window",
            when=pgtrigger.Before,
            operation=pgtrigger.Update,
            # Only a first submission (never submitted before) must fall inside the window.
            condition=pgtrigger.Q(new__status=Status.SUBMITTED)
            & ~pgtrigger.Q(old__status=Status.SUBMITTED)
            & pgtrigger.Q(old__submitted_at__isnull=True),
            func=pgtrigger.Func(
                f"IF NOT EXISTS (SELECT 1 FROM {Batch._meta.db_table} b WHERE b.id = NEW.batch_id"  # noqa: S608 - the models' own constants
                f" AND b.status = {sql_states([Batch.Status.OPEN])[1:-1]}"
                " AND now() BETWEEN b.window_opens_at AND b.window_closes_at) THEN"
                " RAISE EXCEPTION 'jiaxing:batch_window_closed' USING ERRCODE = 'check_violation';"
                " END IF; RETURN NEW;"
            ),
        ),
        pgtrigger.Trigger(
            name="application_no_running_pilot",
            when=pgtrigger.Before,
            operation=pgtrigger.Insert | pgtrigger.Update,
            condition=pgtrigger.Q(new__status__in=ENTERING),
            func=pgtrigger.Func(
                f"IF EXISTS (SELECT 1 FROM {Pilot._meta.db_table} p"  # noqa: S608 - the models' own constants
                " WHERE p.county_id = NEW.county_id AND p.status IN"
                f" {sql_states(Pilot.RUNNING)}) THEN"
                " RAISE EXCEPTION 'jiaxing:county_runs_pilot' USING ERRCODE = 'check_violation';"
                " END IF; RETURN NEW;"
            ),
        ),
    ]

    def __str__(self):
        return f"{self.county} · {self.project_name}"

    def get_absolute_url(self):
        return reverse("applications:detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_decided(self):
        return self.status in self.DECIDED

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    @property
    def is_returned(self):
        return self.status == self.Status.RETURNED

    @property
    def awaits_decision(self):
        """Recommended or not: the committee (or the office on its behalf) decides it next."""
        return self.status in self.RECOMMENDATION_MADE

    @property
    def is_waiting_for_office(self):
        return self.status in self.WAITING_FOR_OFFICE

    def work_item_dates(self, role):
        """When the county's edits are due (the window's end); other steps wait with no fixed date."""
        return (None, self.batch.window_closes_at) if self.is_editable else (None, None)

    def opinions(self):
        """The opinion requests on this application (prefetched by selectors where lists need them)."""

        return opinions_for(self)

    def units_for_role(self, role):
        if role == Role.COUNTY:
            return [self.county]
        if role == Role.SPECIAL_GROUP:
            return [self.candidate.lead_group]
        return list(Unit.objects.filter(kind=role))

    def watchers(self):
        """The county's staff hear of every step of their own application; once it reached the office,
        the office hears of every step too (it runs the whole process)."""

        units = [self.county_id]
        if self.submitted_at is not None:
            units += [u.pk for u in Unit.objects.filter(kind=Role.REFORM_OFFICE)]
        return list(User.objects.filter(memberships__unit_id__in=units, is_active=True).distinct())

    def version_data(self):
        return {"fields": {name: str(getattr(self, name) or "") for name in FORM_FIELDS}, "rows": []}

    @classmethod
    def field_labels(cls):
        return {name: cls._meta.get_field(name).verbose_name for name in FORM_FIELDS}

    # --- transitions (state and facts only; services.py orchestrates) ---
    @transition(
        field=status,
        source=[Status.DRAFT, Status.RETURNED],
        target=Status.SUBMITTED,
        conditions=[batch_window_open, county_not_running_pilot],
        permission=perm("applications.edit_application"),
        custom={"role": Role.COUNTY, "label": _("提交申报")},
    )
    def submit(self, *, at):
        self.submitted_at = at

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.CONSULTING],
        target=Status.RETURNED,
        permission=perm("applications.review_application"),
        custom={"role": Role.REFORM_OFFICE, "label": _("退回修改"), "needs_reason": True},
    )
    def return_to_county(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.CONSULTING,
        permission=perm("applications.review_application"),
        custom={"role": Role.REFORM_OFFICE, "label": _("征求专项小组意见")},
    )
    def request_opinion(self):
        pass

    @transition(
        field=status,
        source=Status.CONSULTING,
        target=Status.RECOMMENDED,
        conditions=[opinions_complete],
        permission=perm("applications.review_application"),
        custom={"role": Role.REFORM_OFFICE, "label": _("建议列为试点")},
    )
    def recommend(self):
        pass

    @transition(
        field=status,
        source=Status.CONSULTING,
        target=Status.NOT_RECOMMENDED,
        conditions=[opinions_complete],
        permission=perm("applications.review_application"),
        custom={"role": Role.REFORM_OFFICE, "label": _("不建议列为试点"), "needs_reason": True},
    )
    def not_recommend(self):
        pass

    @transition(
        field=status,
        source=[Status.RECOMMENDED, Status.NOT_RECOMMENDED],
        target=Status.APPROVED,
        conditions=[county_not_running_pilot],
        permission=perm("applications.decide_application"),
        custom={"role": Role.COMMITTEE, "label": _("确定为试点"), "needs_meeting": True},
    )
    def approve(self, *, meeting_ref, at):
        self.meeting_ref, self.decided_at = meeting_ref, at

    @transition(
        field=status,
        source=[Status.RECOMMENDED, Status.NOT_RECOMMENDED],
        target=Status.REJECTED,
        permission=perm("applications.decide_application"),
        custom={"role": Role.COMMITTEE, "label": _("不予确定"), "needs_reason": True, "needs_meeting": True},
    )
    def reject(self, *, meeting_ref, at):
        self.meeting_ref, self.decided_at = meeting_ref, at

    # 代为录入: the office records what the committee decided at its meeting, on the committee's behalf. Separate
    # transitions so the log says who recorded it in which role; optional, so no record waits on the office.
    @transition(
        field=status,
        source=[Status.RECOMMENDED, Status.NOT_RECOMMENDED],
        target=Status.APPROVED,
        conditions=[county_not_running_pilot],
        permission=perm("applications.record_decision"),
        custom={
            "role": Role.REFORM_OFFICE,
            "label": _("代为录入：确定为试点"),
            "needs_meeting": True,
            "optional": True,
            "on_behalf_of": Role.COMMITTEE,
        },
    )
    def approve_on_behalf(self, *, meeting_ref, at):
        self.meeting_ref, self.decided_at = meeting_ref, at

    @transition(
        field=status,
        source=[Status.RECOMMENDED, Status.NOT_RECOMMENDED],
        target=Status.REJECTED,
        permission=perm("applications.record_decision"),
        custom={
            "role": Role.REFORM_OFFICE,
            "label": _("代为录入：不予确定"),
            "needs_reason": True,
            "needs_meeting": True,
            "optional": True,
            "on_behalf_of": Role.COMMITTEE,
        },
    )
    def reject_on_behalf(self, *, meeting_ref, at):
        self.meeting_ref, self.decided_at = meeting_ref, at

    @transition(
        field=status,
        source=BEFORE_DECISION,
        target=Status.WITHDRAWN,
        permission=perm("applications.edit_application"),
        custom={
            "role": Role.COUNTY,
            "label": _("撤回申报"),
            "optional": True,
            "confirm": _("撤回后本批次可重新申报，确定撤回吗？"),
        },
    )
    def withdraw(self):
        pass


# --- 试点建议名单 --------------------------------------------------------------------------------
class RecommendationListQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        """An internal paper between the office and the committee."""
        return self.all() if sees_everything(user) else self.none()


class RecommendationList(WorkflowModel):
    """The office's recommendation list (试点建议名单) of one batch, which the committee decides item by item."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待报送")
        SENT = "sent", _("待市委改革委确定")
        DECIDED = "decided", _("已逐项确定")

    workflow_key = "recommendation_list"
    display_related = ("batch",)

    batch = models.OneToOneField(
        "pilots.Batch", on_delete=models.PROTECT, related_name="recommendation_list", verbose_name=_("批次")
    )
    items = models.ManyToManyField(Application, related_name="recommendation_lists", verbose_name=_("名单所列申报"))
    status = FSMField(_("状态"), default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True)
    sent_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = RecommendationListQuerySet.as_manager()

    class Meta:
        verbose_name = _("试点建议名单")
        verbose_name_plural = _("试点建议名单")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return _("%(batch)s试点建议名单") % {"batch": self.batch.name}

    def get_absolute_url(self):
        return reverse("applications:recommendations", args=[self.batch_id])

    def units_for_role(self, role):
        return list(Unit.objects.filter(kind=role)) if role in (Role.REFORM_OFFICE, Role.COMMITTEE) else []

    def watchers(self):
        """The committee hears that the list was sent; the office hears when it is decided."""

        kinds = [Role.COMMITTEE] if self.status == self.Status.SENT else [Role.REFORM_OFFICE]
        return list(User.objects.filter(memberships__unit__kind__in=kinds, is_active=True).distinct())

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.SENT,
        permission=perm("applications.review_application"),
        custom={"role": Role.REFORM_OFFICE, "label": _("报送试点建议名单"), "optional": True},
    )
    def send(self, *, at):
        self.sent_at = at

    @transition(
        field=status,
        source=Status.SENT,
        target=Status.DECIDED,
        permission=perm("applications.follows_items"),
        # Taken by the system once the last item is decided; while sent, the list waits on the committee (not
        # marked automatic, so the committee has it as a work item in 我的待办 until then).
        custom={"role": Role.COMMITTEE, "label": _("逐项确定名单所列申报")},
    )
    def finish(self):
        pass
