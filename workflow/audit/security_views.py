"""The three administrators' consoles (三员分立): the system administrator keeps units, users and their working
roles; the security administrator unlocks accounts and resets passwords and second factors; the audit
administrator reads and exports the audit trail. Each console refuses the other two roles (403, audited), and
no console grants an administrator role: those are given at installation (``manage.py grant_admin_role``).
They read the audit, so they live here; ``jiaxing_pilot.urls`` mounts them under ``accounts/`` (URL names unchanged)."""

import io
from datetime import datetime, time

import rules
from axes.models import AccessAttempt
from axes.utils import reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import Workbook

from accounts.forms import StyledMixin
from accounts.models import ADMIN_ROLES, WORKING_ROLES, Membership, Role, Unit, UnitKind, User, roles_for_kind
from accounts.otp import reset_devices
from accounts.passwords import reset_password

from ..engine.models import TransitionLog
from .events import audit
from .models import AuditEvent
from .verify import verify_all

PAGE_SIZE = 50


def role_required(perm):
    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if not rules.has_perm(perm, request.user):
                raise PermissionDenied(_("该页面仅限相应的管理员使用。"))
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _is_admin_account(user):
    return user.is_superuser or user.memberships.filter(role__in=ADMIN_ROLES).exists()


def _users(request):
    q = (request.GET.get("q") or "").strip()
    users = User.objects.order_by("username").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("unit").order_by("unit__name"))
    )
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    return users, q


# --- system administrator: units, users, working roles ----------------------------------------------------
class UserForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "is_active"]


class UnitForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "full_name", "kind", "area", "lead_unit_name", "sort_order", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The administration unit is part of the installation, not of the reference data.
        self.fields["kind"].choices = [c for c in UnitKind.choices if c[0] != UnitKind.ADMINISTRATION]


class MembershipForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["unit", "role", "title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.exclude(kind=UnitKind.ADMINISTRATION).filter(is_active=True)
        self.fields["role"].choices = [(r.value, r.label) for r in WORKING_ROLES]

    def clean(self):
        data = super().clean()
        unit, role = data.get("unit"), data.get("role")
        if role in ADMIN_ROLES:
            self.add_error("role", _("管理员角色只能在系统安装时授予，任何管理员都不能授予。"))
        elif unit is not None and role and role not in roles_for_kind(unit.kind):
            self.add_error(
                "role", _("角色必须与单位类型一致：该单位的类型是“%(kind)s”。") % {"kind": unit.get_kind_display()}
            )
        return data


@role_required("accounts.manage_users")
def sysadmin_users(request):
    users, q = _users(request)
    return TemplateResponse(request, "security/sysadmin_users.html", {"page": _page(request, users), "q": q})


@role_required("accounts.manage_users")
def sysadmin_user_edit(request, pk=None):
    user = get_object_or_404(User, pk=pk) if pk else None
    if user is not None and _is_admin_account(user):
        raise PermissionDenied(_("管理员账号在系统安装时设置，不能在此修改。"))
    form = UserForm(request.POST or None, instance=user)
    membership_form = MembershipForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                saved = form.save()
                temporary = None
                if user is None:
                    temporary = reset_password(saved)  # the first password is a temporary one
                audit(AuditEvent.Kind.USER_CHANGED, request, obj=saved, change="create" if user is None else "edit")
            if temporary:
                messages.success(
                    request,
                    _("账号已创建。临时密码：%(password)s（仅显示这一次，首次登录须修改）。") % {"password": temporary},
                )
            else:
                messages.success(request, _("用户信息已保存。"))
            return redirect("sysadmin_user_edit", pk=saved.pk)
        status = 400
    context = {"form": form, "account": user, "membership_form": membership_form}
    return TemplateResponse(request, "security/sysadmin_user_form.html", context, status=status)


@role_required("accounts.manage_users")
@require_POST
def sysadmin_membership_add(request, pk):
    user = get_object_or_404(User, pk=pk)
    if _is_admin_account(user):
        raise PermissionDenied(_("管理员账号在系统安装时设置，不能在此修改。"))
    form = MembershipForm(request.POST, instance=Membership(user=user))
    if not form.is_valid():
        context = {"form": UserForm(instance=user), "account": user, "membership_form": form}
        return TemplateResponse(request, "security/sysadmin_user_form.html", context, status=400)
    with transaction.atomic():
        membership = form.save()
        audit(
            AuditEvent.Kind.ROLE_CHANGED,
            request,
            obj=user,
            change="grant",
            role=membership.role,
            unit_id=membership.unit_id,
        )
    messages.success(request, _("已授予角色。"))
    return redirect("sysadmin_user_edit", pk=user.pk)


@role_required("accounts.manage_users")
@require_POST
def sysadmin_membership_remove(request, pk, membership_pk):
    membership = get_object_or_404(Membership, pk=membership_pk, user_id=pk)
    if membership.role in ADMIN_ROLES:
        raise PermissionDenied(_("管理员角色只能在系统安装时调整。"))
    with transaction.atomic():
        membership.delete()
        audit(
            AuditEvent.Kind.ROLE_CHANGED,
            request,
            obj=membership.user,
            change="revoke",
            role=membership.role,
            unit_id=membership.unit_id,
        )
    messages.success(request, _("已撤销角色。"))
    return redirect("sysadmin_user_edit", pk=pk)


@role_required("accounts.manage_units")
def sysadmin_units(request):
    units = Unit.objects.order_by("kind", "sort_order", "code")
    return TemplateResponse(request, "security/sysadmin_units.html", {"page": _page(request, units)})


@role_required("accounts.manage_units")
def sysadmin_unit_edit(request, pk=None):
    unit = get_object_or_404(Unit, pk=pk) if pk else None
    if unit is not None and unit.kind == UnitKind.ADMINISTRATION:
        raise PermissionDenied(_("系统运维单位在系统安装时设置，不能在此修改。"))
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                saved = form.save()
                audit(AuditEvent.Kind.UNIT_CHANGED, request, obj=saved, change="create" if unit is None else "edit")
            messages.success(request, _("单位信息已保存。"))
            return redirect("sysadmin_units")
        return TemplateResponse(request, "security/sysadmin_unit_form.html", {"form": form, "unit": unit}, status=400)
    return TemplateResponse(request, "security/sysadmin_unit_form.html", {"form": form, "unit": unit})


# --- security administrator: unlocks, resets, settings ------------------------------------------------------
def _locked_usernames(usernames):
    attempts = AccessAttempt.objects.filter(
        username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    return set(attempts.values_list("username", flat=True))


@role_required("accounts.manage_security")
def secadmin_users(request):
    users, q = _users(request)
    page = _page(request, users)
    names = [u.username for u in page]
    locked = _locked_usernames(names)
    enrolled = set(TOTPDevice.objects.filter(user__in=list(page), confirmed=True).values_list("user_id", flat=True))
    rows = [(u, u.username in locked, u.pk in enrolled, _is_admin_account(u)) for u in page]
    context = {"page": page, "rows": rows, "q": q}
    return TemplateResponse(request, "security/secadmin_users.html", context)


def _target_for_security_action(request, pk):
    user = get_object_or_404(User, pk=pk)
    if user.pk == request.user.pk or _is_admin_account(user):
        # An administrator's own account is reset by the installer, never by another administrator.
        raise PermissionDenied(_("管理员账号的密码和双因素认证只能由系统安装人员重置。"))
    return user


@role_required("accounts.manage_security")
@require_POST
def secadmin_unlock(request, pk):
    user = get_object_or_404(User, pk=pk)
    reset(username=user.username)
    audit(AuditEvent.Kind.UNLOCKED, request, obj=user)
    messages.success(request, _("已解除%(name)s的账号锁定。") % {"name": user.display_name})
    return redirect("secadmin_users")


@role_required("accounts.manage_security")
@require_POST
def secadmin_reset_password(request, pk):
    user = _target_for_security_action(request, pk)
    with transaction.atomic():
        temporary = reset_password(user)
        audit(AuditEvent.Kind.PASSWORD_RESET, request, obj=user)
    messages.success(
        request,
        _("已重置%(name)s的密码。临时密码：%(password)s（仅显示这一次，下次登录须修改）。")
        % {"name": user.display_name, "password": temporary},
    )
    return redirect("secadmin_users")


@role_required("accounts.manage_security")
@require_POST
def secadmin_reset_otp(request, pk):
    user = _target_for_security_action(request, pk)
    with transaction.atomic():
        reset_devices(user)
        audit(AuditEvent.Kind.OTP_RESET, request, obj=user)
    messages.success(request, _("已重置%(name)s的双因素认证，其下次登录时重新绑定。") % {"name": user.display_name})
    return redirect("secadmin_users")


@role_required("accounts.manage_security")
def secadmin_settings(request):
    rows = [
        (
            _("须双因素认证的角色"),
            "、".join(str(Role(r).label) for r in settings.OTP_REQUIRED_ROLES if r in Role.values) or _("无"),
        ),
        (_("密码最长使用天数"), settings.PASSWORD_MAX_AGE_DAYS or _("不限")),
        (_("不得重复使用的最近密码数"), 5),
        (_("连续登录失败锁定次数"), settings.AXES_FAILURE_LIMIT),
        (_("会话空闲超时（秒）"), settings.SESSION_COOKIE_AGE),
        (_("审计摘要算法"), str(settings.AUDIT_HASH).upper()),
        (_("审计记录最短保留天数"), max(180, settings.AUDIT_RETENTION_DAYS)),
    ]
    return TemplateResponse(request, "security/secadmin_settings.html", {"rows": rows})


# --- audit administrator: search, page through and export the trail -----------------------------------------
class AuditSearchForm(StyledMixin, forms.Form):
    SOURCES = [("security", gettext_lazy("安全审计事件")), ("transition", gettext_lazy("业务流转记录"))]
    RESULTS = [("", gettext_lazy("全部")), *AuditEvent.Result.choices]

    source = forms.ChoiceField(label=gettext_lazy("记录类别"), choices=SOURCES, required=False)
    start = forms.DateField(
        label=gettext_lazy("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    user = forms.CharField(label=gettext_lazy("用户"), required=False, max_length=150)
    unit = forms.ModelChoiceField(label=gettext_lazy("单位"), queryset=Unit.objects.all(), required=False)
    kind = forms.CharField(label=gettext_lazy("事件类型或动作"), required=False, max_length=80)
    target = forms.CharField(label=gettext_lazy("对象（类型或编号）"), required=False, max_length=80)
    result = forms.ChoiceField(label=gettext_lazy("结果"), choices=RESULTS, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data


def _day_bounds(data):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(data["start"], time.min), tz) if data.get("start") else None
    end = timezone.make_aware(datetime.combine(data["end"], time.max), tz) if data.get("end") else None
    return start, end


def audit_queryset(data):
    """The filtered trail: security events or transition log rows, newest first, with their names joined."""
    start, end = _day_bounds(data)
    if data.get("source") == "transition":
        rows = TransitionLog.objects.select_related("actor", "unit", "content_type").order_by("-created_at", "-id")
        if data.get("user"):
            rows = rows.filter(Q(actor__username__icontains=data["user"]) | Q(actor__full_name__icontains=data["user"]))
        if data.get("kind"):
            rows = rows.filter(action__icontains=data["kind"])
        if data.get("target"):
            term = data["target"]
            rows = rows.filter(
                Q(content_type__model__icontains=term) | Q(object_id=int(term) if term.isdigit() else -1)
            )
        if data.get("result") == AuditEvent.Result.FAILURE:
            rows = rows.none()  # a refused action never becomes a transition: it is a security event
    else:
        rows = AuditEvent.objects.select_related("actor", "unit").order_by("-created_at", "-id")
        if data.get("user"):
            rows = rows.filter(username__icontains=data["user"])
        if data.get("kind"):
            rows = rows.filter(kind=data["kind"])
        if data.get("target"):
            term = data["target"]
            rows = rows.filter(Q(object_type__icontains=term) | Q(object_id=term) | Q(path__icontains=term))
        if data.get("result"):
            rows = rows.filter(result=data["result"])
    if data.get("unit"):
        rows = rows.filter(unit=data["unit"])
    if start:
        rows = rows.filter(created_at__gte=start)
    if end:
        rows = rows.filter(created_at__lte=end)
    return rows


def audit_row(row):
    """One row as the page and the export show it: time, user, unit, type, object, result, details."""
    if isinstance(row, TransitionLog):
        return [
            timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            row.actor.username if row.actor else _("系统"),
            row.unit.name if row.unit else "",
            row.action,
            f"{row.content_type.app_label}.{row.content_type.model} #{row.object_id}",
            str(AuditEvent.Result.SUCCESS.label),
            f"{row.from_state} → {row.to_state}",
        ]
    return [
        timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        row.username,
        row.unit.name if row.unit else "",
        row.get_kind_display(),
        f"{row.object_type} #{row.object_id}" if row.object_type else row.path,
        row.get_result_display(),
        row.ip_address or "",
    ]


AUDIT_HEADERS = [
    gettext_lazy("时间"),
    gettext_lazy("用户"),
    gettext_lazy("单位"),
    gettext_lazy("事件类型"),
    gettext_lazy("对象"),
    gettext_lazy("结果"),
    gettext_lazy("其他"),
]


@role_required("accounts.read_audit")
def audit_trail(request):
    form = AuditSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        context = {"form": form, "page": None, "headers": AUDIT_HEADERS, "kinds": AuditEvent.Kind.choices}
        return TemplateResponse(request, "security/audit_trail.html", context, status=400)
    page = _page(request, audit_queryset(data))
    context = {
        "form": form,
        "page": page,
        "rows": [audit_row(r) for r in page],
        "headers": AUDIT_HEADERS,
        "kinds": AuditEvent.Kind.choices,
    }
    return TemplateResponse(request, "security/audit_trail.html", context)


EXPORT_LIMIT = 200_000


@role_required("accounts.read_audit")
def audit_export(request):
    """The filtered trail as an Excel file (write-only workbook, rows streamed from the database); the export
    itself is a security event with its filters and row count."""
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "page": None, "headers": AUDIT_HEADERS, "kinds": AuditEvent.Kind.choices}
        return TemplateResponse(request, "security/audit_trail.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("审计记录"))
    sheet.append([str(h) for h in AUDIT_HEADERS])
    count = 0
    for row in audit_queryset(data)[:EXPORT_LIMIT].iterator(chunk_size=2000):
        sheet.append(audit_row(row))
        count += 1
    filters = {k: (str(v.pk) if isinstance(v, Unit) else str(v)) for k, v in data.items() if v}
    audit(AuditEvent.Kind.EXPORT, request, what="audit_trail", rows=count, filters=filters)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response


@role_required("accounts.read_audit")
def audit_chain_status(request):
    problems, heads = verify_all()
    return TemplateResponse(
        request, "security/audit_chain.html", {"problems": problems, "heads": sorted(heads.items())}
    )


urlpatterns = [
    path("manage/users/", sysadmin_users, name="sysadmin_users"),
    path("manage/users/new/", sysadmin_user_edit, name="sysadmin_user_create"),
    path("manage/users/<int:pk>/", sysadmin_user_edit, name="sysadmin_user_edit"),
    path("manage/users/<int:pk>/roles/", sysadmin_membership_add, name="sysadmin_membership_add"),
    path(
        "manage/users/<int:pk>/roles/<int:membership_pk>/remove/",
        sysadmin_membership_remove,
        name="sysadmin_membership_remove",
    ),
    path("manage/units/", sysadmin_units, name="sysadmin_units"),
    path("manage/units/new/", sysadmin_unit_edit, name="sysadmin_unit_create"),
    path("manage/units/<int:pk>/", sysadmin_unit_edit, name="sysadmin_unit_edit"),
    path("security/users/", secadmin_users, name="secadmin_users"),
    path("security/users/<int:pk>/unlock/", secadmin_unlock, name="secadmin_unlock"),
    path("security/users/<int:pk>/reset-password/", secadmin_reset_password, name="secadmin_reset_password"),
    path("security/users/<int:pk>/reset-otp/", secadmin_reset_otp, name="secadmin_reset_otp"),
    path("security/settings/", secadmin_settings, name="secadmin_settings"),
    path("audit/", audit_trail, name="audit_trail"),
    path("audit/export/", audit_export, name="audit_export"),
    path("audit/chain/", audit_chain_status, name="audit_chain"),
]
