"""Jiaxing reference units, loaded by a data migration and by seed_demo (never typed by hand)."""

COUNTIES = [
    ("nanhu", "南湖区"),
    ("xiuzhou", "秀洲区"),
    ("jiashan", "嘉善县"),
    ("pinghu", "平湖市"),
    ("haiyan", "海盐县"),
    ("haining", "海宁市"),
    ("tongxiang", "桐乡市"),
]
SPECIAL_GROUPS = [
    ("sg-economy", "市经济体制和生态文明体制改革专项小组", "economy", "市发展改革委"),
    ("sg-digital", "市数字化改革和“最多跑一次”改革专项小组", "digital", "市数据局"),
    ("sg-law", "市民主法制领域改革专项小组", "democracy_law", "市司法局"),
    ("sg-culture", "市文化体制改革专项小组", "culture", "市委宣传部"),
    ("sg-society", "市社会体制改革专项小组", "society", "市民政局"),
    ("sg-party", "市党的建设制度改革专项小组", "party", "市委组织部"),
    ("sg-rural", "市城乡融合和农业农村改革专项小组", "rural", "市农业农村局"),
]
GUIDANCE_UNITS = [
    ("gu-ndrc", "市发展改革委"),
    ("gu-data", "市数据局"),
    ("gu-justice", "市司法局"),
    ("gu-agri", "市农业农村局"),
    ("gu-civil", "市民政局"),
    ("gu-market", "市市场监管局"),
    ("gu-ecology", "市生态环境局"),
]


def reference_units():
    """(code, name, kind, area, lead_unit_name, sort_order) for every reference unit."""
    rows = [
        ("reform-office", "市委改革办", "reform_office", "", "", 0),
        ("committee", "市委改革委", "committee", "", "", 0),
        ("think-tank", "嘉兴市改革智库", "expert", "", "", 0),
    ]
    rows += [(code, name, "county", "", "", i) for i, (code, name) in enumerate(COUNTIES)]
    rows += [(code, name, "special_group", area, lead, i) for i, (code, name, area, lead) in enumerate(SPECIAL_GROUPS)]
    rows += [(code, name, "guidance_unit", "", "", i) for i, (code, name) in enumerate(GUIDANCE_UNITS)]
    return rows


def load_reference_units(unit_model):
    for code, name, kind, area, lead, order in reference_units():
        unit_model.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "area": area, "lead_unit_name": lead, "sort_order": order},
        )
