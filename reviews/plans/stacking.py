"""The check against mechanical stacking (机械叠加): MinHash band keys per task, candidate lookup, exact score.

Chinese has no spaces, so a task is read as its set of character bigrams (punctuation dropped). Each task's
MinHash signature (datasketch) is cut into bands; a band's rows hash to one 63-bit key stored in
``TaskSignatureBand`` (indexed); for each task of a plan one grouped query (``hash IN … GROUP BY … HAVING``, plain
portable SQL) returns the stored tasks sharing at least ``MIN_SHARED_BANDS`` band keys with it. Only those
candidates are scored exactly (rapidfuzz): the larger
of the edit similarity of the texts and the similarity of their sorted bigram lists (so a reordered
sentence scores as high as a copied one). A candidate at or above ``STACKING_THRESHOLD`` becomes a flag.
"""

import hashlib
import re
from functools import lru_cache

import numpy as np
from datasketch import MinHash
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from rapidfuzz import fuzz

from reviews.plans.models import Plan, PlanTask, ReferenceTask, StackingFlag, TaskSignatureBand

NUM_PERM = 126
ROWS_PER_BAND = 3  # 42 bands of 3 rows: a pair sharing half its bigrams shares about 5 bands, a chance pair rarely one
BANDS = NUM_PERM // ROWS_PER_BAND
SCHEME = "affine32"  # fixed, so stored band keys stay comparable across datasketch upgrades
DEFAULT_THRESHOLD = 60
# A pair must share this many band keys to be scored. With bands of 3 rows one shared band is already rare between
# unrelated tasks of one field, so every candidate sharing a band is scored (bench/RESULTS.md: recall and time).
MIN_SHARED_BANDS = 1
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def threshold():
    return settings.STACKING_THRESHOLD


def normalise(text):
    return _NOT_TEXT.sub("", text or "").lower()


def shingles(text):
    t = normalise(text)
    if len(t) < 2:
        return {t} if t else set()
    return {t[i : i + 2] for i in range(len(t) - 1)}


@lru_cache(maxsize=1)
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=20210, scheme=SCHEME).permutations


def band_keys(text):
    """The task's band keys: one signed 63-bit integer per band (the band's number is part of the hash)."""
    grams = shingles(text)
    if not grams:
        return []
    m = MinHash(num_perm=NUM_PERM, permutations=_permutations(), scheme=SCHEME)
    m.update_batch([g.encode("utf-8") for g in grams])
    values = np.asarray(m.hashvalues, dtype=np.uint32)
    keys = []
    for b in range(BANDS):
        digest = hashlib.blake2b(
            b.to_bytes(2, "big") + values[b * ROWS_PER_BAND : (b + 1) * ROWS_PER_BAND].tobytes(), digest_size=8
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True) >> 1)
    return keys


def score(a, b):
    """0–100: how much ``b`` repeats ``a``."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0
    ga, gb = " ".join(sorted(shingles(a))), " ".join(sorted(shingles(b)))
    return round(max(fuzz.ratio(na, nb), fuzz.token_sort_ratio(ga, gb)))


def _rows(keys, *, task=None, reference=None):
    return [TaskSignatureBand(task=task, reference=reference, band=i, hash=h) for i, h in enumerate(keys)]


def index_tasks(tasks):
    """Store (replace) the band keys of plan tasks; called whenever the task list is saved."""
    tasks = list(tasks)
    TaskSignatureBand.objects.filter(task__in=[t.pk for t in tasks]).delete()
    rows = []
    for t in tasks:
        rows += _rows(band_keys(t.content), task=t)
    TaskSignatureBand.objects.bulk_create(rows, batch_size=2000)


def index_references(references):
    rows = []
    for r in references:
        rows += _rows(band_keys(r.content), reference=r)
    TaskSignatureBand.objects.bulk_create(rows, batch_size=2000)


def matches(plan):
    """``[(task, candidate, source, score)]`` for every pair at or above the threshold: tasks of other plans and
    reference tasks sharing at least ``MIN_SHARED_BANDS`` band keys with a task of ``plan``, scored exactly."""
    tasks = list(plan.tasks.order_by("order", "id"))
    keys_of = {t.pk: set(band_keys(t.content)) for t in tasks}
    if not any(keys_of.values()):
        return []
    # One grouped query per plan task: the database counts the band keys each stored task shares with it and
    # returns only those sharing enough (portable GROUP BY ... HAVING on the indexed hash column).
    pairs = []
    stored = TaskSignatureBand.objects.exclude(task_id__in=list(keys_of))
    for task_id, keys in keys_of.items():
        rows = (
            stored.filter(hash__in=keys)
            .values("task_id", "reference_id")
            .annotate(n=Count("id"))
            .filter(n__gte=MIN_SHARED_BANDS)
            .values_list("task_id", "reference_id")
        )
        pairs += [(task_id, "plan", t) if t else (task_id, "reference", r) for t, r in rows]
    ids = {"plan": {p[2] for p in pairs if p[1] == "plan"}, "reference": {p[2] for p in pairs if p[1] == "reference"}}
    # Other plans count once submitted: a county's unsubmitted draft is nobody else's to see.
    submitted = PlanTask.objects.filter(pk__in=ids["plan"], plan__submitted_at__isnull=False)
    texts = {("plan", pk): c for pk, c in submitted.values_list("pk", "content")}
    texts.update(
        {
            ("reference", pk): c
            for pk, c in ReferenceTask.objects.filter(pk__in=ids["reference"]).values_list("pk", "content")
        }
    )
    by_pk = {t.pk: t for t in tasks}
    limit = threshold()
    scored = []
    for mine, kind, pk in pairs:
        if (kind, pk) not in texts:
            continue
        s = score(by_pk[mine].content, texts[(kind, pk)])
        if s >= limit:
            scored.append((by_pk[mine], kind, pk, s))
    plans = PlanTask.objects.filter(pk__in={pk for _t, kind, pk, _s in scored if kind == "plan"})
    others = {("plan", t.pk): t for t in plans.select_related("plan", "plan__county", "plan__pilot__batch")}
    refs = ReferenceTask.objects.in_bulk({pk for _t, kind, pk, _s in scored if kind == "reference"})
    others.update({("reference", pk): r for pk, r in refs.items()})
    found = [(t, others[(kind, pk)], kind, s) for t, kind, pk, s in scored]
    found.sort(key=lambda f: (f[0].order, -f[3]))
    return found


def _source_fields(kind, other):
    if kind == StackingFlag.Source.PLAN:
        plan = other.plan
        return {
            "source_label": plan.title,
            "source_county": plan.county.name,
            "source_year": plan.pilot.batch.year,
        }
    return {"source_label": other.source, "source_county": other.county, "source_year": other.year}


def check_plan(plan):
    """Replace the plan's flags with what matches now, keeping the county's answers to flags that still hold."""
    found = matches(plan)
    with transaction.atomic():
        old = {(f.task_key, f.source, f.source_id): f for f in StackingFlag.objects.filter(plan=plan)}
        keep = set()
        new = []
        for task, other, kind, s in found:
            key = (task.key, kind, other.pk)
            if key in keep:
                continue
            keep.add(key)
            previous = old.get(key)
            new.append(
                StackingFlag(
                    plan=plan,
                    task_key=task.key,
                    task_content=task.content,
                    matched_text=other.content,
                    source=kind,
                    source_id=other.pk,
                    score=s,
                    answer=previous.answer if previous else "",
                    answered_by=previous.answered_by if previous else None,
                    **_source_fields(kind, other),
                )
            )
        StackingFlag.objects.filter(plan=plan).delete()
        StackingFlag.objects.bulk_create(new)
    return new


__all__ = ["Plan", "band_keys", "check_plan", "index_references", "index_tasks", "matches", "score"]
