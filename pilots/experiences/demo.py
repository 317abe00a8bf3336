"""Demo case library: experiences of the demo pilots (published, one draft by the guidance unit) and the bonus
ledger they feed (试点工作富有成效、相关改革经验在省市推广的酌情加分). 秀洲区's pilot passed its evaluation, so its
province promotion proposed points the office confirmed (and corrected) and its city promotion waits for
confirmation; 嘉善县's pilot is still running, so its province promotion waits for the evaluation; 平湖市's pilot
failed its evaluation, so its city promotion proposed nothing and the ledger says why."""

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
        "xiuzhou",
        "政务服务“一网通办”跨部门数据共享机制",
        "建立跨部门数据共享清单和“一网通办”事项标准，实现政务服务事项全程网办。",
        "秀洲区梳理政务服务事项，统一数据标准，建立数据共享“负面清单”，打通12个部门业务系统。",
        "一网通办、数据共享",
        True,
    ),
    (
        "pinghu",
        "城市事件“一网统管”分拨机制",
        "城市管理事件统一受理、智能分拨、限时处置，处置时长缩短三成。",
        "平湖市整合12345热线和基层治理平台，建立事件分拨规则库，按“首接负责”推进跨部门处置。",
        "一网统管、基层治理",
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
    _promote(office, made.get("政务服务“一网通办”跨部门数据共享机制"), confirm=True)
    # 嘉善县's pilot is still running: its province promotion waits for the evaluation (待试点评估后提出).
    data = made.get("公共数据“一本账”授权运营机制")
    _promote_once(office, data, "province", datetime.date(2026, 6, 18), "浙委改办〔2026〕15号")
    # 平湖市's pilot failed its evaluation (容错免责 changes nothing here): nothing proposed, and the line says why.
    failed = made.get("城市事件“一网统管”分拨机制")
    _promote_once(office, failed, "city", datetime.date(2026, 3, 20), "嘉委改办〔2026〕21号")
    return Unit.objects.filter(code="jiashan").first()


def _promote_once(office, experience, level, day, document_number, note=""):
    if experience is None or not experience.is_published or Promotion.objects.filter(experience=experience).exists():
        return None
    return experiences.record_promotion(
        actor=office, experience=experience, level=level, promoted_on=day, document_number=document_number, note=note
    )


def _promote(office, experience, confirm):
    """秀洲区's pilot passed its evaluation: a province promotion the office confirmed and corrected, and a city one
    waiting for the office's confirmation."""
    province = _promote_once(
        office, experience, "province", datetime.date(2026, 6, 18), "浙委改办〔2026〕16号", note="全省复制推广"
    )
    if province is None:
        return
    entry = BonusEntry.objects.get(promotion=province, corrects=None)
    if confirm and entry.status == BonusEntry.Status.PROPOSED:
        entry = experiences.bonus_act(actor=office, entry=entry, name="confirm", comment="符合考评加分条件。")
        experiences.correct_bonus(
            actor=office, entry=entry, points="-0.5", reason="同一事项已在其他考评指标中计分，按细则折半。"
        )
    experiences.record_promotion(
        actor=office,
        experience=experience,
        level="city",
        promoted_on=datetime.date(2026, 4, 2),
        document_number="嘉委改办〔2026〕32号",
    )
