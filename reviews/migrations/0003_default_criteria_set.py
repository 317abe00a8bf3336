"""The default criteria set (seed 二（四）: 目标完成情况, 制度创新, 集成协同, 实际成效, 可复制推广), weights summing to 100."""

from decimal import Decimal

from django.db import migrations

NAME = "县域集成改革试点评估指标（默认）"
CRITERIA = [
    ("目标完成情况", 30, "试点方案确定的目标和任务清单完成情况，节点是否按期完成。"),
    ("制度创新", 20, "形成的制度成果、政策文件和标准，突破性和首创性。"),
    ("集成协同", 15, "跨部门、跨领域改革集成和协同推进情况。"),
    ("实际成效", 20, "群众和企业获得感，经济社会效益。"),
    ("可复制推广", 15, "经验做法的可复制性，在市级以上推广情况。"),
]


def seed(apps, schema_editor):
    CriteriaSet = apps.get_model("reviews", "CriteriaSet")
    Criterion = apps.get_model("reviews", "Criterion")
    if CriteriaSet.objects.filter(is_default=True).exists():
        return
    criteria_set = CriteriaSet.objects.create(
        name=NAME, is_default=True, excellent_min=Decimal(90), good_min=Decimal(80), pass_min=Decimal(60)
    )
    Criterion.objects.bulk_create(
        [
            Criterion(criteria_set=criteria_set, order=i + 1, name=name, weight=Decimal(weight), description=text)
            for i, (name, weight, text) in enumerate(CRITERIA)
        ]
    )


def unseed(apps, schema_editor):
    apps.get_model("reviews", "CriteriaSet").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_evaluation_criteria_self_evaluation_summary")]
    operations = [migrations.RunPython(seed, unseed)]
