"""The check against mechanical stacking (机械叠加): MinHash band keys per task, candidate lookup, exact score.

Chinese has no spaces, so a task is read as its set of character bigrams (punctuation dropped). Each task's
MinHash signature (datasketch) is cut into bands of two rows; a band's rows mix into one 63-bit key stored in
``TaskSignatureBand`` (indexed with both ids); one query for the whole plan (``hash IN … GROUP BY … HAVING`` per
plan task, plain portable SQL) returns, with their texts, the stored tasks sharing at least ``MIN_SHARED_BANDS``
band keys with a task of the plan. Only those candidates are scored exactly (rapidfuzz): the larger of the edit
similarity of the texts and the similarity of their sorted bigram lists (so a reordered sentence scores as high as a
copied one). A candidate at or above ``STACKING_THRESHOLD`` becomes a flag.

Why these numbers (bench/RESULTS.md, "the stacking check"): a pair scoring 60 can share as little as a fifth of its
bigrams (the same object with other results, or the same result phrase with another object). The former 42 bands of
three rows found such a pair three times in ten and missed 12 % of the bench's pairs at the threshold. Two rows
agree with odds 1/25 for such a pair, about 5 of 128 bands: asking for 3 finds it nine times in ten, a pair sharing
a quarter 98.6 times in a hundred and a third or more with near certainty (99.8 % of the bench's pairs expected),
while of unrelated tasks one pair in seven sharing a tenth and one in 250 sharing a twentieth is scored.
"""

import re
from functools import lru_cache

import numpy as np
from datasketch import MinHash
from django.conf import settings
from django.db import connection, transaction
from rapidfuzz import fuzz

from reviews.plans.models import Plan, PlanTask, ReferenceTask, StackingFlag, TaskSignatureBand

NUM_PERM = 256
ROWS_PER_BAND = 2  # 128 bands of 2 rows: a pair sharing a fifth of its bigrams shares about 5 bands
BANDS = NUM_PERM // ROWS_PER_BAND
SCHEME = "affine32"  # fixed, so stored band keys stay comparable across datasketch upgrades
DEFAULT_THRESHOLD = 60
# A pair must share this many band keys to be scored: one shared band of 2 rows happens between unrelated tasks of
# one field, three rarely (bench/RESULTS.md: recall and time).
MIN_SHARED_BANDS = 3
TASKS_PER_QUERY = 50  # plan tasks looked up in one query (50 × 129 parameters, 50 compound selects)
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


def _mix(z):
    """splitmix64's finaliser on an array of unsigned 64-bit integers (wrapping arithmetic): a bijection that spreads
    every input bit over the whole output."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@lru_cache(maxsize=1)
def _band_seeds():
    return _mix(np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))


def band_keys(text):
    """The task's band keys: one non-negative 63-bit integer per band, the band's rows mixed into a seed of its own
    (so equal rows in different bands give different keys)."""
    grams = shingles(text)
    if not grams:
        return []
    m = MinHash(num_perm=NUM_PERM, permutations=_permutations(), scheme=SCHEME)
    m.update_batch([g.encode("utf-8") for g in grams])
    rows = np.asarray(m.hashvalues[: BANDS * ROWS_PER_BAND], dtype=np.uint64).reshape(BANDS, ROWS_PER_BAND)
    keys = _band_seeds()
    for r in range(ROWS_PER_BAND):
        keys = _mix(keys ^ rows[:, r])
    return (keys >> np.uint64(1)).astype(np.int64).tolist()


def _prepared(text):
    """What the score compares: the text without punctuation, and its sorted bigrams joined by spaces."""
    t = normalise(text)
    grams = {t[i : i + 2] for i in range(len(t) - 1)} if len(t) >= 2 else ({t} if t else set())
    return t, " ".join(sorted(grams))


def _score_prepared(mine, other, cutoff=0):
    """``score`` of two ``_prepared`` texts; below ``cutoff`` the sorted-bigram comparison may stop early (the
    result is then below ``cutoff`` too)."""
    (na, ga), (nb, gb) = mine, other
    if not na or not nb:
        return 0
    edit = fuzz.ratio(na, nb)
    # The bigram lists are sorted already, so their plain ratio is token_sort_ratio of them.
    grams = fuzz.ratio(ga, gb, score_cutoff=cutoff) if edit < cutoff else fuzz.ratio(ga, gb)
    return round(max(edit, grams))


def score(a, b):
    """0–100: how much ``b`` repeats ``a``."""
    return _score_prepared(_prepared(a), _prepared(b))


def _store(rows):
    """Insert ``(reference_id, task_id, band, hash)`` rows, 1,000 to a statement: 128 rows a task, so an import of
    5,000 reference tasks writes 640,000, and model instances would triple the time (bench/RESULTS.md)."""
    table = connection.ops.quote_name(TaskSignatureBand._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (reference_id, task_id, band, hash) VALUES {values}",  # noqa: S608 - table name from the model, values as parameters
                [v for row in chunk for v in row],
            )


def index_tasks(tasks):
    """Store (replace) the band keys of plan tasks; called whenever the task list is saved."""
    tasks = list(tasks)
    TaskSignatureBand.objects.filter(task__in=[t.pk for t in tasks]).delete()
    _store([(None, t.pk, i, h) for t in tasks for i, h in enumerate(band_keys(t.content))])


def index_references(references):
    _store([(r.pk, None, i, h) for r in references for i, h in enumerate(band_keys(r.content))])


def _candidates(plan, keys_of):
    """``{task pk: [(kind, pk, content)]}``: for each task of ``plan``, the stored tasks sharing at least
    ``MIN_SHARED_BANDS`` of its band keys: reference tasks, and tasks of other plans once submitted (a county's
    unsubmitted draft is nobody else's to see). One query for up to ``TASKS_PER_QUERY`` plan tasks: per plan task
    the database counts the keys each stored task shares with it (``GROUP BY … HAVING`` on the index of the hash
    column, which holds both ids) and returns the texts of those sharing enough. Plain SQL, the same on PostgreSQL
    and SQLite (whose limits on parameters and compound selects the chunks stay well within)."""
    order = [pk for pk, keys in keys_of.items() if keys]
    band, ref, task, plan_table = (
        connection.ops.quote_name(m._meta.db_table) for m in (TaskSignatureBand, ReferenceTask, PlanTask, Plan)
    )
    found = {pk: [] for pk in order}
    for start in range(0, len(order), TASKS_PER_QUERY):
        grouped, params = [], []
        for i, pk in enumerate(order[start : start + TASKS_PER_QUERY], start):
            marks = ", ".join(["%s"] * len(keys_of[pk]))
            grouped.append(
                f"SELECT {i} AS mine, reference_id, task_id FROM {band} WHERE hash IN ({marks})"  # noqa: S608 - table names from the models, values as parameters
                " GROUP BY reference_id, task_id HAVING COUNT(*) >= %s"
            )
            params += [*keys_of[pk], MIN_SHARED_BANDS]
        sql = f"""SELECT m.mine, m.reference_id, m.task_id, COALESCE(r.content, t.content)
            FROM ({" UNION ALL ".join(grouped)}) m
            LEFT JOIN {ref} r ON r.id = m.reference_id
            LEFT JOIN {task} t ON t.id = m.task_id
            LEFT JOIN {plan_table} p ON p.id = t.plan_id
            WHERE m.reference_id IS NOT NULL OR (p.submitted_at IS NOT NULL AND p.id <> %s)"""  # noqa: S608 - table names from the models, values as parameters
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, plan.pk])
            for mine, reference_id, task_id, content in cursor.fetchall():
                if reference_id is not None:
                    found[order[mine]].append(("reference", reference_id, content))
                else:
                    found[order[mine]].append(("plan", task_id, content))
    return found


def matches(plan):
    """``[(task, candidate, source, score)]`` for every pair at or above the threshold: tasks of other plans and
    reference tasks sharing at least ``MIN_SHARED_BANDS`` band keys with a task of ``plan``, scored exactly."""
    tasks = list(plan.tasks.order_by("order", "id"))
    candidates = _candidates(plan, {t.pk: band_keys(t.content) for t in tasks})
    limit = threshold()
    scored, prepared = [], {}  # a stored task that is a candidate of several plan tasks is prepared once
    for task in tasks:
        mine = _prepared(task.content)
        for kind, pk, content in candidates.get(task.pk, ()):
            other = prepared.get((kind, pk)) or prepared.setdefault((kind, pk), _prepared(content))
            s = _score_prepared(mine, other, cutoff=limit - 1)
            if s >= limit:
                scored.append((task, kind, pk, s))
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
