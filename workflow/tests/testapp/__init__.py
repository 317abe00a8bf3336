"""A tiny workflow, installed only in tests, so the core's tests need no workflow app.

``Ticket`` is a county's request that the reform office accepts or returns (with a reason)::

    draft ──submit (county)──▶ submitted ──accept (reform office)──▶ accepted
      ▲                           │
      └──── return_to_county (reform office, needs a reason) ◀───┘ (lands in ``returned``, editable again)

Instead of accepting, the office may ``forward`` it to the special groups (``reviewing``), who ``approve`` it
(``accepted``) or return it to a step it passed (退回到指定步骤, the ``return_to_step`` convention).

Use it in a core test (``jiaxing_pilot.settings_test`` installs it; pytest uses those settings)::

    from workflow.tests.testapp.models import Ticket

    def test_something(county_nanhu, office_reviewer, units):
        ticket = Ticket.objects.create(title="测试事项", county=units["nanhu"], created_by=county_nanhu)
        sync(ticket)  # its work items: workflow.inbox.workitems.sync (perform and change sync by themselves)
        ticket = perform(ticket, "submit", actor=county_nanhu, freeze=True)
        perform(ticket, "return_to_county", actor=office_reviewer, comment="请补充")

Or ``make_ticket(user, unit_code="nanhu", **fields)`` from ``workflow.tests.testapp.models``. Permissions are
the ``testapp.*`` rules in ``rules.py`` (the county that owns the ticket edits and submits; the reform office
reviews); ``visible_to`` scopes like an application (county: its own; office and committee: all); next actors
come from ``units_for_role`` and the owning county's staff are the watchers. Add a state or a field here when a
core test needs it (and a migration: ``DJANGO_SETTINGS_MODULE=jiaxing_pilot.settings_test manage.py
makemigrations testapp``).
"""
