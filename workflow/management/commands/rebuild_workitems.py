"""``manage.py rebuild_workitems [--check]``: recompute every record's open work items from the django-fsm
definitions and assignments, report where the table disagrees, and (without --check) put it right."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workflow.models import WorkItem

from ...inbox.workitems import expected_items, participates, sync_items


def _describe(model, object_id, key, what):
    role, unit_id, user_id = key
    who = f"user {user_id}" if user_id else f"unit {unit_id}"
    return f"{model._meta.label_lower} {object_id}: {what} {role} · {who}"


class Command(BaseCommand):
    help = "Recompute open work items from the workflow definitions; --check only reports disagreements."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report disagreements and fail, change nothing")

    def handle(self, *args, check=False, **options):
        problems = 0
        for model in apps.get_models():
            if participates(model):
                problems += self._model(model, check)
        if check and problems:
            raise CommandError(f"{problems} work item(s) disagree with the workflow definitions")
        verb = "found" if check else "fixed"
        self.stdout.write(f"{problems} disagreement(s) {verb}")

    def _model(self, model, check):
        ct = ContentType.objects.get_for_model(model)
        current = {}
        for item in WorkItem.objects.filter(content_type=ct, closed_at__isnull=True, derived=True):
            current.setdefault(item.object_id, {})[(item.role, item.unit_id, item.user_id)] = item
        problems = 0
        seen = set()
        for obj in model.objects.order_by("pk").iterator(chunk_size=500):
            seen.add(obj.pk)
            have = current.get(obj.pk, {})
            want = {(e.role, e.unit_id, e.user_id): e for e in expected_items(obj)}
            found = []
            for key, e in want.items():
                item = have.get(key)
                if item is None:
                    found.append(_describe(model, obj.pk, key, "missing"))
                elif (
                    item.action != e.action
                    or item.due_at != e.due_at
                    or (e.opened_at and item.opened_at != e.opened_at)
                ):
                    found.append(_describe(model, obj.pk, key, f"outdated ({item.action} → {e.action})"))
            found += [_describe(model, obj.pk, key, "not waited on") for key in have if key not in want]
            if found:
                problems += len(found)
                for line in found:
                    self.stdout.write(line)
                if not check:
                    with transaction.atomic():
                        sync_items(obj)
        orphans = [pk for pk in current if pk not in seen]
        if orphans:
            problems += len(orphans)
            self.stdout.write(f"{model._meta.label_lower}: open items of {len(orphans)} deleted record(s)")
            if not check:
                WorkItem.objects.filter(content_type=ct, object_id__in=orphans, closed_at__isnull=True).delete()
        return problems
