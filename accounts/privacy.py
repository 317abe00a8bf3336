"""Personal information shown only to those entitled (等保, 个人信息保护法): people's phone numbers and e-mail
addresses appear masked (138****5678, l***@example.gov.cn) to anyone outside the person's unit and the
administrators, in pages, exports and print views. Views mask the values they hand to templates; templates
may use ``{% load privacy %}{% masked value unit %}``."""

import re
from dataclasses import replace

from .roles import memberships
from .rules import is_administrator

EMAIL = re.compile(r"(?<![\w.%+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[\s-]?\d{3,4}(\d{4})(?!\d)")


def mask_text(value):
    """The text with every phone number and e-mail address in it masked; other values unchanged."""
    if not isinstance(value, str) or not value:
        return value
    value = EMAIL.sub(r"\1***@\2", value)
    value = MOBILE.sub(r"\1****\2", value)
    return LANDLINE.sub(r"\1-****\2", value)


def sees_personal_info(user, unit):
    """Members of the person's unit (any role) and the administrators see the numbers in full."""
    if not getattr(user, "is_authenticated", False):
        return False
    unit_id = getattr(unit, "pk", unit)
    return any(m.unit_id == unit_id for m in memberships(user)) or is_administrator(user)


def for_viewer(user, unit, value):
    return value if sees_personal_info(user, unit) else mask_text(value)


def mask_rows(user, unit, rows):
    """(label, value, …) tuples with each value masked for this viewer."""
    if sees_personal_info(user, unit):
        return rows
    return [(row[0], mask_text(row[1]), *row[2:]) for row in rows]


def mask_mapping(user, unit, mapping):
    if sees_personal_info(user, unit):
        return mapping
    return {key: mask_text(value) for key, value in mapping.items()}


def mask_changes(user, unit, changes):
    """Version-diff field changes (old and new values) masked for this viewer."""
    if sees_personal_info(user, unit):
        return changes
    return [replace(c, old=mask_text(c.old), new=mask_text(c.new)) for c in changes]
