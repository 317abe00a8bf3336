"""Password policy beyond Django's validators: the last five passwords cannot be reused, passwords age
(``PASSWORD_MAX_AGE_DAYS``), and an administrator's reset forces a change at the next login."""

import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PasswordHistory

KEEP_ROWS = 10  # more than the validator's window, so raising the count later still has history to check


class PasswordHistoryValidator:
    """Refuses a new password equal to the current one or to one of the last ``count`` ones."""

    def __init__(self, count=5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count])
        if user.password:
            hashes.append(user.password)
        if any(check_password(password, h) for h in hashes):
            raise ValidationError(
                _("新密码不能与最近%(count)d次使用过的密码相同。") % {"count": self.count}, code="password_reused"
            )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        old = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[KEEP_ROWS:]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self):
        return _("新密码不能与最近%(count)d次使用过的密码相同。") % {"count": self.count}


def password_expired(user):
    """True when the user must change the password before doing anything else."""
    if user.must_change_password:
        return True
    days = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0)
    if not days or not user.has_usable_password():
        return False
    changed = user.password_changed_at
    return changed is None or changed < timezone.now() - timedelta(days=days)


def temporary_password():
    """A random one-time password that passes the validators (letters, digits and a mark, 14 characters)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(11))
    return f"{body}#{secrets.randbelow(90) + 10}"


def reset_password(user):
    """An administrator's reset: a temporary password, to be changed at the next login. Returns it (shown once)."""
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    return password
