"""The check against mechanical stacking (机械叠加): MinHash band keys per task, candidate lookup, exact score.

Chinese has no spaces, so a task is read as its set of character bigrams (punctuation dropped). Each task's
MinHash signature (datasketch) is cut into bands; a band's rows hash to one 63-bit key stored in
``TaskSignatureBand`` (indexed), so the tasks that share any band key with a new task come back from one
indexed ``IN`` query in plain, portable SQL. Only those candidates are scored exactly (rapidfuzz): the larger
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
from rapidfuzz import fuzz

from .models import Plan, PlanTask, ReferenceTask, StackingFlag, TaskSignatureBand

NUM_PERM = 64
ROWS_PER_BAND = 2  # 32 bands of 2 rows: tasks sharing about a fifth of their bigrams become candidates
BANDS = NUM_PERM // ROWS_PER_BAND
SCHEME = "affine32"  # fixed, so stored band keys stay comparable across datasketch upgrades
DEFAULT_THRESHOLD = 60
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


def threshold():
    return getattr(settings, "STACKING_THRESHOLD", DEFAULT_THRESHOLD)


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
    """``[(task, candidate text, source, source row, score)]`` for every pair at or above the threshold:
    tasks of other plans and reference tasks that share a band key with a task of ``plan``, scored exactly."""
    tasks = list(plan.tasks.order_by("order", "id"))
    keys_of = {t.pk: set(band_keys(t.content)) for t in tasks}
    wanted = set().union(*keys_of.values()) if keys_of else set()
    if not wanted:
        return []
    hits = (
        TaskSignatureBand.objects.filter(hash__in=wanted)
        .exclude(task__plan=plan)
        .values_list("hash", "task_id", "reference_id")
    )
    by_hash = {}
    for h, task_id, ref_id in hits:
        by_hash.setdefault(h, set()).add(("plan", task_id) if task_id else ("reference", ref_id))
    candidate_ids = {"plan": set(), "reference": set()}
    for pairs in by_hash.values():
        for kind, pk in pairs:
            candidate_ids[kind].add(pk)
    other_tasks = {
        t.pk: t
        for t in PlanTask.objects.filter(pk__in=candidate_ids["plan"]).select_related(
            "plan", "plan__county", "plan__pilot__batch"
        )
    }
    references = ReferenceTask.objects.in_bulk(candidate_ids["reference"])
    limit = threshold()
    found = []
    for t in tasks:
        seen = set()
        for h in keys_of[t.pk]:
            seen |= by_hash.get(h, set())
        for kind, pk in seen:
            other = other_tasks.get(pk) if kind == "plan" else references.get(pk)
            if other is None:
                continue
            s = score(t.content, other.content)
            if s >= limit:
                found.append((t, other, kind, s))
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
