"""Units (county, office, committee, special groups, guidance units, experts), users and memberships."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A role is what a member does for a unit. Each working unit kind has exactly one working role; the
    administration unit (信息中心) has the three administrator roles of 三员分立 instead."""

    COUNTY = "county", _("县（市、区）")
    REFORM_OFFICE = "reform_office", _("市委改革办")
    SPECIAL_GROUP = "special_group", _("市级专项小组")
    GUIDANCE_UNIT = "guidance_unit", _("市级牵头指导单位")
    COMMITTEE = "committee", _("市委改革委")
    EXPERT = "expert", _("专家学者")
    MUNICIPAL_DEPT = "municipal_dept", _("市级有关单位")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# 三员分立: three administrator duties, held only in the administration unit, none of which grants another.
ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
WORKING_ROLES = tuple(r for r in Role if r not in ADMIN_ROLES)


class UnitKind(models.TextChoices):
    """Unit kinds mirror the working roles one to one (a membership's role is its unit's kind), plus the
    administration unit whose members hold one of the administrator roles."""

    COUNTY = "county", _("县（市、区）")
    REFORM_OFFICE = "reform_office", _("市委改革办")
    SPECIAL_GROUP = "special_group", _("市级专项小组")
    GUIDANCE_UNIT = "guidance_unit", _("市级牵头指导单位")
    COMMITTEE = "committee", _("市委改革委")
    EXPERT = "expert", _("专家学者")
    MUNICIPAL_DEPT = "municipal_dept", _("市级有关单位")
    ADMINISTRATION = "administration", _("系统运维单位")


def roles_for_kind(kind):
    """The roles a member of a unit of this kind may hold."""
    if kind == UnitKind.ADMINISTRATION:
        return list(ADMIN_ROLES)
    return [Role(kind)] if kind in Role.values else []


class ReformArea(models.TextChoices):
    """Reform areas (领域), one per municipal special group."""

    ECONOMY = "economy", _("经济体制和生态文明体制改革")
    DIGITAL = "digital", _("数字化改革与“最多跑一次”改革")
    DEMOCRACY_LAW = "democracy_law", _("民主法制领域改革")
    CULTURE = "culture", _("文化体制改革")
    SOCIETY = "society", _("社会体制改革")
    PARTY = "party", _("党的建设制度改革")
    RURAL = "rural", _("城乡融合与农业农村改革")


class Unit(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    full_name = models.CharField(
        _("全称"),
        max_length=200,
        blank=True,
        help_text=_("打印和正式文书使用的单位全称，如“中共嘉兴市委全面深化改革委员会”"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices, db_index=True)
    area = models.CharField(
        _("领域"),
        max_length=20,
        choices=ReformArea.choices,
        blank=True,
        help_text=_("专项小组所负责的改革领域"),
    )
    lead_unit_name = models.CharField(_("牵头单位"), max_length=100, blank=True, help_text=_("专项小组的牵头单位名称"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "sort_order", "code"]
        # The units of a kind in their order (the county filter of every list reads its first 201 rows).
        indexes = [models.Index(fields=["kind", "sort_order", "code"], name="unit_kind_order")]

    def __str__(self):
        return self.name

    @property
    def print_name(self):
        """The official full name for print views, the short name where none is recorded."""
        return self.full_name or self.name


class User(AbstractUser):
    """One account per person (等保: unique identification); roles come only from memberships."""

    class EmailMode(models.TextChoices):
        IMMEDIATE = "immediate", _("每条通知即时发送邮件")
        DIGEST = "digest", _("每天汇总发送一封邮件")
        NONE = "none", _("不发送邮件（仅站内通知）")

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    email_mode = models.CharField(
        _("邮件提醒方式"), max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    # 等保: passwords age and are changed after an administrator's reset (accounts/passwords.py).
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    units = models.ManyToManyField(Unit, through="Membership", related_name="users", verbose_name=_("单位"))

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        if self._state.adding and self.password_changed_at is None:
            # create_user() hashes the password without set_password(): the age counts from the account's creation.

            self.password_changed_at = timezone.now()
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        if raw_password is not None:
            self.password_changed_at = timezone.now()
            self.must_change_password = False


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("用户"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    title = models.CharField(_("职务"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_user_unit_role"),
        ]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    def clean(self):
        if self.unit_id and self.role and self.role not in roles_for_kind(self.unit.kind):
            raise ValidationError(
                {
                    "role": _("角色必须与单位类型一致：该单位的类型是“%(kind)s”。")
                    % {"kind": self.unit.get_kind_display()}
                }
            )


class PasswordHistory(models.Model):
    """Hashes of a user's earlier passwords, so the last five cannot be used again (等保: password policy)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("用户"))
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user")]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"
