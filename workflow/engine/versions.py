"""Field-by-field and row-by-row comparison of two frozen versions."""

from dataclasses import dataclass, field


@dataclass
class FieldChange:
    key: str
    label: str
    old: object
    new: object


@dataclass
class RowChange:
    kind: str  # added | removed | changed
    key: str
    old: dict | None
    new: dict | None
    changed_fields: list = field(default_factory=list)


def diff(old, new, labels, row_key="key"):
    """Compare two ``version_data`` dicts.

    ``fields`` hold scalar values; ``rows`` (optional) hold a list of dicts each with ``row_key``.
    ``labels`` maps field keys to display labels; order of ``labels`` is the display order.
    """
    old = old or {"fields": {}, "rows": []}
    fields = []
    for key, label in labels.items():
        a, b = old.get("fields", {}).get(key), new.get("fields", {}).get(key)
        if a != b:
            fields.append(FieldChange(key, str(label), a, b))
    old_rows = {r[row_key]: r for r in old.get("rows", [])}
    new_rows = {r[row_key]: r for r in new.get("rows", [])}
    rows = []
    for k, r in new_rows.items():
        if k not in old_rows:
            rows.append(RowChange("added", k, None, r))
        elif r != old_rows[k]:
            changed = [c for c in r if r.get(c) != old_rows[k].get(c)]
            rows.append(RowChange("changed", k, old_rows[k], r, changed))
    rows += [RowChange("removed", k, r, None) for k, r in old_rows.items() if k not in new_rows]
    return fields, rows
