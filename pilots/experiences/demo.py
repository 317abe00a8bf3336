"""Demo case library: experiences of the demo pilots (published, one draft by the guidance unit), a province
promotion whose bonus entry the office confirmed, a city promotion waiting for confirmation, and a correction."""

import datetime

from accounts.models import Unit, User
from pilots.experiences import services as experiences
from pilots.experiences.models import BonusEntry, Experience, Promotion
from pilots.models import Pilot

EXPERIENCES = [
    (
        "jiashan",
        "公共数据“一本账”授权运营机制",
        "建立公共数据资源目录和授权运营“一本账”，数据按需申请、分级授权、全程留痕。",
        "嘉善县成立数据专班，集中归集公共数据，推行“容缺受理”式的授权申请：材料不全时先行受理、限时补齐；"
        "运营收益按约定比例反哺数据治理。",
        "公共数据、授权运营、数据专班",
        True,
    ),
    (
        "jiashan",
        "企业开办“一件事”集成服务",
        "企业开办全流程一次办结，平均用时压缩到半个工作日。",
        "以“一窗受理、集成服务”为牵引，整合登记、刻章、申领发票、社保登记等环节，一表申请、并联审批。",
        "一件事、营商环境",
        True,
    ),
    (
        "haiyan",
        "核电关联产业链“链长制”",
        "由县领导担任链长，统筹招商、用地、人才政策，形成产业链集成改革工作法。",
        "海盐县梳理核电关联产业链清单，按链配置政策包，定期召开链长会商会。",
        "链长制、产业链",
        False,
    ),
]


def seed():
    office = User.objects.get(username="office")
    made = {}
    for county_code, title, summary, body, tags, publish in EXPERIENCES:
        pilot = Pilot.objects.filter(county__code=county_code).order_by("created_at").first()
        if pilot is None:
            continue
        existing = Experience.objects.filter(pilot=pilot, title=title).first()
        if existing is None:
            author = office if publish else User.objects.filter(memberships__unit=pilot.guidance_unit).first() or office
            existing = experiences.create_experience(
                actor=author,
                pilot=pilot,
                data={"title": title, "summary": summary, "body": body, "tags": tags, "area": pilot.area},
            )
            if publish:
                existing = experiences.experience_act(actor=office, experience=existing, name="publish")
        made[title] = existing
    data = made.get("公共数据“一本账”授权运营机制")
    if data is not None and data.is_published and not Promotion.objects.filter(experience=data).exists():
        province = experiences.record_promotion(
            actor=office,
            experience=data,
            level="province",
            promoted_on=datetime.date(2026, 6, 18),
            document_number="浙委改办〔2026〕15号",
            note="全省复制推广",
        )
        entry = BonusEntry.objects.get(promotion=province, corrects=None)
        entry = experiences.bonus_act(actor=office, entry=entry, name="confirm", comment="符合考评加分条件。")
        experiences.correct_bonus(
            actor=office, entry=entry, points="-0.5", reason="同一事项已在其他考评指标中计分，按细则折半。"
        )
        experiences.record_promotion(
            actor=office,
            experience=data,
            level="city",
            promoted_on=datetime.date(2026, 4, 2),
            document_number="嘉委改办〔2026〕32号",
        )
    return Unit.objects.filter(code="jiashan").first()
