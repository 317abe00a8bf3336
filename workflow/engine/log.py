"""Writing a record's history: log rows (``record``, ``record_many``: links of the audit hash chain), frozen
versions and attachments, and the unit an actor acts in. ``workflow.services`` writes them for every change."""

from django.contrib.contenttypes.models import ContentType

from accounts.roles import memberships

from . import chain
from .files import validate_upload
from .models import Attachment, TransitionLog, Version
from .request_context import with_request_id


def acting_unit(obj, user, role):
    """The unit in which the user acts for this record (the record's own unit where it has one)."""
    candidates = {u.pk for u in obj.units_for_role(role)}
    fallback = None
    for m in memberships(user):
        if m.role != role:
            continue
        if m.unit_id in candidates:
            return m.unit
        fallback = fallback or m.unit
    return fallback


def freeze_version(obj, actor):
    """Store the current content of ``obj`` as its next numbered version."""
    ct = ContentType.objects.get_for_model(obj)
    last = Version.objects.filter(content_type=ct, object_id=obj.pk).order_by("-number").first()
    return Version.objects.create(
        content_type=ct,
        object_id=obj.pk,
        number=(last.number + 1 if last else 1),
        data=obj.version_data(),
        created_by=actor,
    )


def save_attachments(obj, files, *, actor, log=None, description=""):
    ct = ContentType.objects.get_for_model(obj)
    saved = []
    for f in files:
        kind = validate_upload(f)
        saved.append(
            Attachment.objects.create(
                content_type=ct,
                object_id=obj.pk,
                log=log,
                file=f,
                original_name=f.name[:200],
                size=f.size,
                kind=kind,
                uploaded_by=actor,
                description=description,
            )
        )
    return saved


def record(
    obj,
    action,
    *,
    actor,
    role,
    unit=None,
    comment="",
    from_state="",
    to_state="",
    details=None,
    version=None,
    on_behalf_of=None,
):
    """Append one audit row. Transitions call it through ``perform``; audited non-transitions call it directly.
    ``on_behalf_of``: the absent colleague a deputy acted for (代理)."""
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        role=role,
        unit=unit,
        comment=comment,
        from_state=from_state,
        to_state=to_state,
        details=with_request_id(details),  # the request id links the row to the request log (issue 15)
        version=version,
    )


def record_many(entries, *, actor, role, unit=None):
    """Append one audit row per ``(obj, action, details)`` of ``entries``, in order, as one batch of the chain
    (``chain.append_many``: one head lock and one insert): for jobs that log many rows at once."""
    rows = [
        TransitionLog(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            action=action,
            actor=actor,
            role=role,
            unit=unit,
            details=with_request_id(details),
        )
        for obj, action, details in entries
    ]
    return chain.append_many(rows)
