"""``manage.py renew_cache``: start a new generation of the generational cache (workflow.generation), so every
page reads the database again. The site renews it itself on every write it makes; run this after changing rows
behind its back (SQL typed into psql, a restore from backup)."""

from django.core.management.base import BaseCommand

from workflow import generation


class Command(BaseCommand):
    help = "Start a new cache generation: pages read the database again (after rows were changed outside the site)."

    def handle(self, *args, **options):
        before = generation.current()
        generation.bump()
        self.stdout.write(f"cache generation renewed ({before} → {generation.current()})")
