"""The generic version-compare page: any record's frozen version against the previous one, field by field and row
by row (added, removed, changed, moved), from ``workflow.engine.versions.diff``. Apps give the labels; nothing else."""

from django.http import Http404
from django.template.response import TemplateResponse

from ..engine.versions import diff
from .selectors import versions_of


def moved_rows(old, new, row_key="key"):
    """Keys of rows present in both versions whose position changed relative to the rows both versions share."""
    if not old:
        return set()
    old_keys = [r[row_key] for r in old.get("rows", [])]
    new_keys = [r[row_key] for r in new.get("rows", [])]
    shared = set(old_keys) & set(new_keys)
    a = [k for k in old_keys if k in shared]
    b = [k for k in new_keys if k in shared]
    return {k for i, k in enumerate(b) if a[i] != k}


def compare(
    request,
    obj,
    number,
    *,
    labels,
    row_labels=None,
    row_title="content",
    back_url=None,
    back_label=None,
    extra=None,
    field_filter=None,
):
    """Render ``workflow/compare.html`` for version ``number`` of ``obj`` (404 if it has no such version).

    ``labels``: field key → label (display order); ``row_labels``: row field → label, for task lists;
    ``row_title``: the row field that names a row; ``extra``: more context (e.g. answered opinions);
    ``field_filter(fields)``: what this viewer may see of the changed fields (e.g. masked phone numbers)."""
    versions = {v.number: v for v in versions_of(obj)}
    if number not in versions:
        raise Http404
    new, old = versions[number], versions.get(number - 1)
    old_data = old.data if old else None
    fields, rows = diff(old_data, new.data, labels)
    if field_filter is not None:
        fields = field_filter(fields)
    moved = moved_rows(old_data, new.data)
    row_labels = row_labels or {}
    changes = []
    for r in rows:
        kind = r.kind
        changed = [c for c in r.changed_fields if c != "order"]  # a new position alone is a move
        if kind == "changed" and not changed:
            if r.key not in moved:
                continue
            kind = "moved"
        elif kind == "changed" and r.key in moved:
            kind = "changed_moved"
        changes.append(
            {
                "kind": kind,
                "key": r.key,
                "title": (r.new or r.old or {}).get(row_title, ""),
                "old": r.old,
                "new": r.new,
                "fields": [(row_labels.get(c, c), (r.old or {}).get(c, ""), (r.new or {}).get(c, "")) for c in changed],
            }
        )
    return TemplateResponse(
        request,
        "workflow/compare.html",
        {
            "obj": obj,
            "new": new,
            "old": old,
            "fields": fields,
            "rows": changes,
            "back_url": back_url or obj.get_absolute_url(),
            "back_label": back_label,
            **(extra or {}),
        },
    )
