"""Demo batches and candidate lists: a decided 2025 batch and an open 2026 batch."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Unit, User
from pilots import services
from pilots.models import Batch, Candidate

CANDIDATES_2026 = [
    (
        "公共数据授权运营集成改革",
        "digital",
        "sg-digital",
        "gu-data",
        "围绕公共数据授权运营，集成数据归集、安全评估、收益分配等改革举措，推动数据要素市场化配置。",
    ),
    (
        "“一件事”集成服务改革",
        "digital",
        "sg-digital",
        "gu-data",
        "以群众和企业“一件事”为牵引，集成跨部门办事流程，推进“一窗受理、集成服务”。",
    ),
    (
        "强村富民集成改革",
        "rural",
        "sg-rural",
        "gu-agri",
        "集成农村集体经济、宅基地、农业经营主体等改革，探索共同富裕县域路径。",
    ),
    (
        "基层治理“四治融合”集成改革",
        "society",
        "sg-society",
        "gu-civil",
        "集成自治、法治、德治、智治举措，打造县域基层治理新模式。",
    ),
    (
        "营商环境优化提升集成改革",
        "economy",
        "sg-economy",
        "gu-market",
        "集成商事登记、信用监管、涉企服务等改革，打造一流营商环境。",
    ),
]


def _candidate(office, batch, title, area, group, guide, text):
    existing = Candidate.objects.filter(batch=batch, title=title).first()
    if existing:
        return existing
    return services.propose_candidate(
        actor=office,
        accept=True,
        data={
            "batch": batch,
            "title": title,
            "area": area,
            "lead_group": Unit.objects.get(code=group),
            "guidance_unit": Unit.objects.get(code=guide),
            "description": text,
        },
    )


def seed():
    office = User.objects.get(username="office")
    now = timezone.now()
    b2026 = Batch.objects.filter(name="2026年第一批").first()
    if b2026 is None:
        b2026 = services.create_batch(
            actor=office,
            data={
                "name": "2026年第一批",
                "year": 2026,
                "window_opens_at": now - timedelta(days=10),
                "window_closes_at": now + timedelta(days=30),
                "description": "根据《嘉兴市开展县域集成改革试点工作方案》，2026年第一批试点申报。",
            },
        )
        services.batch_act(actor=office, batch=b2026, name="open")
    for row in CANDIDATES_2026:
        _candidate(office, b2026, *row)
    if not Candidate.objects.filter(batch=b2026, channel=Candidate.Channel.COUNTY_TO_OFFICE).exists():
        services.propose_candidate(
            actor=User.objects.get(username="county_haiyan"),
            data={
                "batch": b2026,
                "title": "海盐县核电关联产业集成改革",
                "area": "economy",
                "lead_group": Unit.objects.get(code="sg-economy"),
                "guidance_unit": None,
                "description": "海盐县提出：集成核电关联产业链招商、用地、人才政策。",
            },
        )
    return b2026
