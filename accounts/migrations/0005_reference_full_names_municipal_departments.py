"""Reference data corrections (issue 14): full official names for print, the 市级有关单位 kind with 市委宣传部,
市委组织部 and other municipal departments as real units. The rows are frozen here (no live code imported);
accounts/reference.py carries the same data for seed_demo and the tests."""

from django.db import migrations

# (code, name, kind, area, lead_unit_name, sort_order, full_name)
UNITS = [
    ("reform-office", "市委改革办", "reform_office", "", "", 0, "中共嘉兴市委全面深化改革委员会办公室"),
    ("committee", "市委改革委", "committee", "", "", 0, "中共嘉兴市委全面深化改革委员会"),
    ("think-tank", "嘉兴市改革智库", "expert", "", "", 0, "嘉兴市改革智库"),
    ("nanhu", "南湖区", "county", "", "", 0, "嘉兴市南湖区"),
    ("xiuzhou", "秀洲区", "county", "", "", 1, "嘉兴市秀洲区"),
    ("jiashan", "嘉善县", "county", "", "", 2, "嘉善县"),
    ("pinghu", "平湖市", "county", "", "", 3, "平湖市"),
    ("haiyan", "海盐县", "county", "", "", 4, "海盐县"),
    ("haining", "海宁市", "county", "", "", 5, "海宁市"),
    ("tongxiang", "桐乡市", "county", "", "", 6, "桐乡市"),
    (
        "sg-economy",
        "市经济体制和生态文明体制改革专项小组",
        "special_group",
        "economy",
        "市发展改革委",
        0,
        "中共嘉兴市委全面深化改革委员会经济体制和生态文明体制改革专项小组",
    ),
    (
        "sg-digital",
        "市数字化改革和“最多跑一次”改革专项小组",
        "special_group",
        "digital",
        "市数据局",
        1,
        "中共嘉兴市委全面深化改革委员会数字化改革和“最多跑一次”改革专项小组",
    ),
    (
        "sg-law",
        "市民主法制领域改革专项小组",
        "special_group",
        "democracy_law",
        "市司法局",
        2,
        "中共嘉兴市委全面深化改革委员会民主法制领域改革专项小组",
    ),
    (
        "sg-culture",
        "市文化体制改革专项小组",
        "special_group",
        "culture",
        "市委宣传部",
        3,
        "中共嘉兴市委全面深化改革委员会文化体制改革专项小组",
    ),
    (
        "sg-society",
        "市社会体制改革专项小组",
        "special_group",
        "society",
        "市民政局",
        4,
        "中共嘉兴市委全面深化改革委员会社会体制改革专项小组",
    ),
    (
        "sg-party",
        "市党的建设制度改革专项小组",
        "special_group",
        "party",
        "市委组织部",
        5,
        "中共嘉兴市委全面深化改革委员会党的建设制度改革专项小组",
    ),
    (
        "sg-rural",
        "市城乡融合和农业农村改革专项小组",
        "special_group",
        "rural",
        "市农业农村局",
        6,
        "中共嘉兴市委全面深化改革委员会城乡融合和农业农村改革专项小组",
    ),
    ("gu-ndrc", "市发展改革委", "guidance_unit", "", "", 0, "嘉兴市发展和改革委员会"),
    ("gu-data", "市数据局", "guidance_unit", "", "", 1, "嘉兴市数据局"),
    ("gu-justice", "市司法局", "guidance_unit", "", "", 2, "嘉兴市司法局"),
    ("gu-agri", "市农业农村局", "guidance_unit", "", "", 3, "嘉兴市农业农村局"),
    ("gu-civil", "市民政局", "guidance_unit", "", "", 4, "嘉兴市民政局"),
    ("gu-market", "市市场监管局", "guidance_unit", "", "", 5, "嘉兴市市场监督管理局"),
    ("gu-ecology", "市生态环境局", "guidance_unit", "", "", 6, "嘉兴市生态环境局"),
    ("md-propaganda", "市委宣传部", "municipal_dept", "", "", 0, "中共嘉兴市委宣传部"),
    ("md-organization", "市委组织部", "municipal_dept", "", "", 1, "中共嘉兴市委组织部"),
    ("md-finance", "市财政局", "municipal_dept", "", "", 2, "嘉兴市财政局"),
    ("md-hrss", "市人力社保局", "municipal_dept", "", "", 3, "嘉兴市人力资源和社会保障局"),
]


def load(apps, schema_editor):
    Unit = apps.get_model("accounts", "Unit")
    for code, name, kind, area, lead, order, full_name in UNITS:
        Unit.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "area": area,
                "lead_unit_name": lead,
                "sort_order": order,
                "full_name": full_name,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_unit_full_name_municipal_departments")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
