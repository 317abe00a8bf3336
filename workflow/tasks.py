"""The workflow app's Celery tasks, where ``app.autodiscover_tasks()`` (``jiaxing_pilot/celery.py``) looks for them:
the outbox's e-mail delivery (``workflow.engine.outbox``) and the daily audit-chain check (``workflow.audit.verify``).
Their names are fixed (``name=``), as the beat schedule in ``jiaxing_pilot/settings.py`` uses them."""

from .audit.verify import verify_audit_chain
from .engine.outbox import deliver_notifications, deliver_pending, send_digests

__all__ = ["deliver_notifications", "deliver_pending", "send_digests", "verify_audit_chain"]
