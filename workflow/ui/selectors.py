"""Read queries every record page shares: its timeline, attachments, versions and opinions."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q

from ..conventions.models import Opinion
from ..engine.models import Attachment, TransitionLog, Version


def _ct(obj):
    return ContentType.objects.get_for_model(obj)


def timeline(obj):
    """Every log row of the record and of the opinions asked on it, oldest first, with actor, unit,
    attachments and version."""
    opinion_ids = list(Opinion.objects.for_object(obj).values_list("pk", flat=True))
    scope = Q(content_type=_ct(obj), object_id=obj.pk)
    if opinion_ids:
        scope |= Q(content_type=ContentType.objects.get_for_model(Opinion), object_id__in=opinion_ids)
    return list(
        TransitionLog.objects.filter(scope)
        .select_related("actor", "on_behalf_of", "unit", "version")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )


def attachments_of(obj):
    return list(Attachment.objects.filter(content_type=_ct(obj), object_id=obj.pk).select_related("uploaded_by"))


def versions_of(obj):
    return list(Version.objects.filter(content_type=_ct(obj), object_id=obj.pk).order_by("number"))


def opinions_of(obj):
    return list(Opinion.objects.for_object(obj).select_related("unit", "given_by"))
