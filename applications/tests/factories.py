"""Factories for batches, candidates and applications, built through the real services where state matters."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Unit
from applications.models import Application
from applications.services import FILLED_EXAMPLE
from pilots.models import Batch, Candidate
from workflow.inbox.workitems import sync


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Batch
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"2026年第{n + 1}批")
    year = 2026
    window_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    window_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))

    @factory.post_generation
    def work_items(batch, create, extracted, **kwargs):
        """Created outside perform/change, so the factory syncs its work items (no signal does)."""
        if create:
            sync(batch)


def open_batch(office, **kwargs):
    """A batch opened through the service (so its log exists)."""
    from pilots.services import batch_act

    batch = BatchFactory(**kwargs)
    return batch_act(actor=office, batch=batch, name="open")


def listed_candidate(
    office, batch, title="公共数据授权运营集成改革", group="sg-digital", guide="gu-data", area="digital"
):
    from pilots.services import propose_candidate

    return propose_candidate(
        actor=office,
        accept=True,
        data={
            "batch": batch,
            "title": title,
            "area": area,
            "lead_group": Unit.objects.get(code=group),
            "guidance_unit": Unit.objects.get(code=guide) if guide else None,
            "description": "改革内容简介",
        },
    )


def filled_application(county_user, candidate):
    """A county's application with every required field filled, still a draft."""
    from applications.services import save_draft, start_application

    app = start_application(actor=county_user, candidate=candidate)
    return save_draft(actor=county_user, application=app, data=FILLED_EXAMPLE)


__all__ = ["Application", "BatchFactory", "Candidate", "filled_application", "listed_candidate", "open_batch"]
