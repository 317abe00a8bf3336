"""Benchmark: the stacking check (机械叠加) of a 12-task plan against 30,000 stored tasks (goal: under 300 ms).

Run with `.venv/bin/python bench/stacking_bench.py` (a throw-away SQLite database) or with
`DATABASE_URL=postgres://…/scratch` against a scratch PostgreSQL database. The stored tasks are reference tasks
made from real task vocabulary: 2 % written from the same phrases as the plan's tasks (near-copies and rewordings
among them), the rest the same words in free order (so chance band-key hits happen, as between real tasks of one
field). `BENCH_CORPUS=repetitive` stores only same-phrase tasks (every plan task then has hundreds of genuine
matches: the worst case, reported separately). Prints timings: wall time, and the CPU time of this process plus
(PostgreSQL on this machine) its database backend, which the other work on a shared machine does not inflate as
much; the number of candidates scored; and the recall of the band keys against an exhaustive comparison. Asserts
nothing — speed is measured here.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaxing_pilot.settings")
os.environ.setdefault("EMAIL_URL", "dummymail://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

N_STORED = int(os.environ.get("BENCH_STORED_TASKS", "30000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))

VERBS = ["建立", "完善", "推进", "深化", "探索", "健全", "构建", "优化", "创新", "落实", "加快", "强化"]
OBJECTS = [
    "公共数据授权运营机制",
    "企业开办“一件事”集成服务",
    "数据安全风险评估制度",
    "基层治理数字化平台",
    "农村宅基地有偿退出机制",
    "集体经营性建设用地入市制度",
    "营商环境评价体系",
    "跨部门业务协同机制",
    "政务服务“一网通办”",
    "城市大脑数字驾驶舱",
    "生态环境损害赔偿制度",
    "排污权交易市场",
    "医保支付方式改革",
    "县域医共体建设",
    "社区养老服务网络",
    "校外培训监管机制",
    "招投标全流程电子化",
    "信用分级分类监管",
    "综合行政执法改革",
    "“最多跑一次”事项清单",
    "长三角一体化协同机制",
    "人才引育服务体系",
    "科技成果转化机制",
    "金融服务实体经济机制",
    "土地要素市场化配置",
    "共同富裕示范单元",
    "未来社区建设标准",
    "乡村振兴产业联合体",
    "矛盾纠纷多元化解机制",
    "基层减负长效机制",
]
TAILS = [
    "制定管理办法",
    "出台实施细则",
    "形成制度成果",
    "建设统一平台",
    "开展试点示范",
    "建立考核评价体系",
    "实现全流程网上办理",
    "形成可复制经验",
    "编制地方标准",
    "建立部门联席会议制度",
    "推动数据共享",
    "完善配套政策",
    "建立动态调整机制",
    "形成典型案例",
    "健全监督机制",
]


# The words of a varied task list: every phrase above cut into its two- to four-character words.
WORDS = sorted(
    {w for phrase in OBJECTS + TAILS for w in (phrase[i : i + n] for n in (2, 3, 4) for i in range(0, len(phrase), n))}
    | set(VERBS)
    | {"县域", "乡镇", "街道", "村社", "园区", "企业", "群众", "部门", "市场", "财政", "金融", "教育", "医疗", "养老"}
)
NEAR_TOPIC_SHARE = 0.02  # stored tasks written from the same phrases as the plan (the rest: the same words, shuffled)


def sentence(rng):
    """A task of the plan's field: verb, object and two results (many stored tasks share some of these)."""
    return f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{rng.choice(TAILS)}，{rng.choice(TAILS)}"


def varied(rng):
    """A task of the wider list: 8–12 words of the same vocabulary in free order."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 12))]
    return "".join(words[:5]) + "，" + "".join(words[5:])


def stored(rng):
    return (
        sentence(rng)
        if (os.environ.get("BENCH_CORPUS") == "repetitive" or rng.random() < NEAR_TOPIC_SHARE)
        else varied(rng)
    )


def seed():
    from accounts.models import Membership, Unit, User
    from accounts.reference import load_reference_units
    from reviews.plans import stacking
    from reviews.plans.models import ReferenceTask
    from reviews.tests.factories import filled_plan, make_pilot

    load_reference_units(Unit)

    def person(name, code):
        user = User.objects.create_user(name, email=f"{name}@example.test")  # no password: cannot log in
        unit = Unit.objects.get(code=code)
        Membership.objects.create(user=user, unit=unit, role=unit.kind)
        return user

    office, committee, group, county = (
        person("office", "reform-office"),
        person("committee", "committee"),
        person("group", "sg-digital"),
        person("county", "nanhu"),
    )
    rng = random.Random(2021)
    started = time.perf_counter()
    for start in range(0, N_STORED, 5000):
        refs = ReferenceTask.objects.bulk_create(
            [
                ReferenceTask(content=stored(rng), source="基准清单", year=2020, imported_by=office)
                for _ in range(min(5000, N_STORED - start))
            ]
        )
        if not refs[0].pk:
            refs = list(ReferenceTask.objects.order_by("-id")[: len(refs)])
        stacking.index_references(refs)
    print(f"stored {N_STORED} tasks ({N_STORED * stacking.BANDS} band keys) in {time.perf_counter() - started:.1f} s")
    pilot = make_pilot(county, office, committee, group)
    tasks = [{"content": sentence(rng), "responsible_unit": "区数据局"} for _ in range(12)]
    return filled_plan(county, pilot, tasks=tasks)


def _backend_cpu():
    """CPU seconds of this connection's PostgreSQL backend so far (a server on this machine), else None."""
    if django.db.connection.vendor != "postgresql":
        return None
    with django.db.connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    call_command("migrate", verbosity=0)
    from reviews.plans import stacking

    plan = seed()
    if django.db.connection.vendor == "postgresql":
        # As autovacuum leaves a table some time after a bulk load (the lookup then reads the index alone).
        with django.db.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE reviews_tasksignatureband")
    stacking.matches(plan)  # warm: the first call also loads the permutations
    samples, found = [], []
    backend, started = _backend_cpu(), time.process_time()
    for _ in range(ROUNDS):
        start = time.perf_counter()
        found = stacking.matches(plan)
        samples.append((time.perf_counter() - start) * 1000)
    cpu = (time.process_time() - started) * 1000 / ROUNDS
    backend = None if backend is None else (_backend_cpu() - backend) * 1000 / ROUNDS
    vendor = django.db.connection.vendor
    keys = {t.pk: stacking.band_keys(t.content) for t in plan.tasks.all()}
    candidates = sum(len(c) for c in stacking._candidates(plan, keys).values())
    print(
        f"{vendor}: 12-task plan against {N_STORED} stored tasks: median {statistics.median(samples):.1f} ms, "
        f"max {max(samples):.1f} ms over {ROUNDS} rounds; CPU a check {cpu:.0f} ms in Python"
        + ("" if backend is None else f" + {backend:.0f} ms in the database backend")
        + f"; {candidates} candidates scored, {len(found)} matches at threshold {stacking.threshold()}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    # Recall of the band-key lookup: every stored task scored exactly against every plan task (slow, once).
    from reviews.plans.models import ReferenceTask

    limit = stacking.threshold()
    stored = list(ReferenceTask.objects.values_list("pk", "content"))
    truth = {(t.pk, pk) for t in plan.tasks.all() for pk, text in stored if stacking.score(t.content, text) >= limit}
    got = {(t.pk, other.pk) for t, other, _kind, _s in found}
    print(f"recall: {len(got & truth)} of {len(truth)} pairs at or above the threshold found by the band keys")


if __name__ == "__main__":
    main()
