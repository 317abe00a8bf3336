import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Ticket",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=100, verbose_name="标题")),
                ("body", models.TextField(blank=True, default="事项内容", verbose_name="内容")),
                (
                    "status",
                    django_fsm.FSMField(
                        choices=[
                            ("draft", "草稿"),
                            ("submitted", "已提交"),
                            ("returned", "已退回修改"),
                            ("accepted", "已受理"),
                        ],
                        db_index=True,
                        default="draft",
                        max_length=50,
                        protected=True,
                        verbose_name="状态",
                    ),
                ),
                ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="提交时间")),
                (
                    "county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.unit",
                        verbose_name="县（市、区）",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="填报人",
                    ),
                ),
            ],
            options={
                "verbose_name": "测试事项",
                "verbose_name_plural": "测试事项",
                "ordering": ["id"],
            },
        ),
    ]
