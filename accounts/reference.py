"""Jiaxing reference units (names, kinds, full official names for print), kept in step with the data migrations
and loaded by seed_demo and the tests' ``units`` fixture (never typed by hand)."""

COMMITTEE_FULL_NAME = "中共嘉兴市委全面深化改革委员会"

COUNTIES = [
    ("nanhu", "南湖区"),
    ("xiuzhou", "秀洲区"),
    ("jiashan", "嘉善县"),
    ("pinghu", "平湖市"),
    ("haiyan", "海盐县"),
    ("haining", "海宁市"),
    ("tongxiang", "桐乡市"),
]
# Full names for print: the two districts are parts of Jiaxing city; the counties and county-level cities
# already carry their official name.
COUNTY_FULL_NAMES = {"nanhu": "嘉兴市南湖区", "xiuzhou": "嘉兴市秀洲区"}
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
    ("gu-ndrc", "市发展改革委", "嘉兴市发展和改革委员会"),
    ("gu-data", "市数据局", "嘉兴市数据局"),
    ("gu-justice", "市司法局", "嘉兴市司法局"),
    ("gu-agri", "市农业农村局", "嘉兴市农业农村局"),
    ("gu-civil", "市民政局", "嘉兴市民政局"),
    ("gu-market", "市市场监管局", "嘉兴市市场监督管理局"),
    ("gu-ecology", "市生态环境局", "嘉兴市生态环境局"),
]
# 市级有关单位: ordinary municipal departments the office may invite for opinions.
MUNICIPAL_DEPARTMENTS = [
    ("md-propaganda", "市委宣传部", "中共嘉兴市委宣传部"),
    ("md-organization", "市委组织部", "中共嘉兴市委组织部"),
    ("md-finance", "市财政局", "嘉兴市财政局"),
    ("md-hrss", "市人力社保局", "嘉兴市人力资源和社会保障局"),
]

# The unit whose members administer the system (三员分立: system, security and audit administrators).
ADMINISTRATION_UNITS = [("info-center", "信息中心", f"{COMMITTEE_FULL_NAME}办公室信息中心")]


def reference_units():
    """(code, name, kind, area, lead_unit_name, sort_order, full_name) for every reference unit."""
    rows = [
        ("reform-office", "市委改革办", "reform_office", "", "", 0, f"{COMMITTEE_FULL_NAME}办公室"),
        ("committee", "市委改革委", "committee", "", "", 0, COMMITTEE_FULL_NAME),
        ("think-tank", "嘉兴市改革智库", "expert", "", "", 0, "嘉兴市改革智库"),
    ]
    rows += [
        (code, name, "county", "", "", i, COUNTY_FULL_NAMES.get(code, name)) for i, (code, name) in enumerate(COUNTIES)
    ]
    rows += [
        (code, name, "special_group", area, lead, i, f"{COMMITTEE_FULL_NAME}{name[1:]}")
        for i, (code, name, area, lead) in enumerate(SPECIAL_GROUPS)
    ]
    rows += [(code, name, "guidance_unit", "", "", i, full) for i, (code, name, full) in enumerate(GUIDANCE_UNITS)]
    rows += [
        (code, name, "municipal_dept", "", "", i, full) for i, (code, name, full) in enumerate(MUNICIPAL_DEPARTMENTS)
    ]
    rows += [
        (code, name, "administration", "", "", i, full) for i, (code, name, full) in enumerate(ADMINISTRATION_UNITS)
    ]
    return rows


def load_reference_units(unit_model):
    """Create or correct every reference unit. Only fields the given (possibly historical) model has are written,
    so migration 0002, which still calls this, keeps working on a model without the later fields."""
    fields = {f.name for f in unit_model._meta.get_fields()}
    for code, name, kind, area, lead, order, full_name in reference_units():
        defaults = {
            "name": name,
            "kind": kind,
            "area": area,
            "lead_unit_name": lead,
            "sort_order": order,
            "full_name": full_name,
        }
        unit_model.objects.update_or_create(code=code, defaults={k: v for k, v in defaults.items() if k in fields})
