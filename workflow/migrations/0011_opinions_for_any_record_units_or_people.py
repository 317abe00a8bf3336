"""Opinions on any record: a purpose (its verdicts), a unit or a named person asked, the asking unit and role."""

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models


def requested_by_the_office(apps, schema_editor):
    """Every request so far was the reform office's (the special group's opinion on an application)."""
    Opinion = apps.get_model("workflow", "Opinion")
    Membership = apps.get_model("accounts", "Membership")
    Unit = apps.get_model("accounts", "Unit")
    office = Unit.objects.filter(kind="reform_office").order_by("sort_order", "code").first()
    for opinion in Opinion.objects.filter(requested_unit__isnull=True):
        own = Membership.objects.filter(user_id=opinion.requested_by_id, role="reform_office").first()
        Opinion.objects.filter(pk=opinion.pk).update(
            requested_unit_id=own.unit_id if own else (office.pk if office else None),
            requested_role="reform_office",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_reference_full_names_municipal_departments"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0010_audit_hash_chain_truncate_guard"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="opinion",
            name="opinion_one_pending_per_unit",
        ),
        migrations.AddField(
            model_name="opinion",
            name="purpose",
            field=models.CharField(default="recommendation", max_length=40, verbose_name="征求事项"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="opinion",
            name="requested_role",
            field=models.CharField(blank=True, max_length=20, verbose_name="征求角色"),
        ),
        migrations.AddField(
            model_name="opinion",
            name="requested_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.unit",
                verbose_name="征求单位",
            ),
        ),
        migrations.AddField(
            model_name="opinion",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="被征求意见人",
            ),
        ),
        migrations.AlterField(
            model_name="opinion",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("new", "待发出"),
                    ("pending", "待提出意见"),
                    ("given", "已提出意见"),
                    ("cancelled", "已撤销"),
                ],
                db_index=True,
                default="pending",
                max_length=50,
                protected=True,
                verbose_name="状态",
            ),
        ),
        migrations.AlterField(
            model_name="opinion",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.unit",
                verbose_name="被征求意见单位",
            ),
        ),
        migrations.AlterField(
            model_name="opinion",
            name="verdict",
            field=models.CharField(blank=True, max_length=30, verbose_name="意见"),
        ),
        migrations.RunPython(requested_by_the_office, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="opinion",
            index=models.Index(fields=["unit", "role", "status"], name="opinion_unit_waiting"),
        ),
        migrations.AddIndex(
            model_name="opinion",
            index=models.Index(fields=["user", "status"], name="opinion_user_waiting"),
        ),
        migrations.AddConstraint(
            model_name="opinion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("unit__isnull", False), ("user__isnull", True)),
                    models.Q(("unit__isnull", True), ("user__isnull", False)),
                    _connector="OR",
                ),
                name="opinion_unit_or_user",
            ),
        ),
        migrations.AddConstraint(
            model_name="opinion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["new", "pending"]), ("unit__isnull", False)),
                fields=("content_type", "object_id", "purpose", "unit", "role"),
                name="opinion_one_open_per_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="opinion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["new", "pending"]), ("user__isnull", False)),
                fields=("content_type", "object_id", "purpose", "user"),
                name="opinion_one_open_per_user",
            ),
        ),
    ]
