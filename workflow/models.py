"""The workflow app's models module: every model of the app, imported from the subpackage where it lives (their app
label stays ``workflow``). Code inside ``workflow`` imports a model from its own module; the apps may import here."""

from .audit.models import AuditEvent
from .conventions.models import Copy, Opening, Opinion, SavedPhrase, Urging
from .engine.chain import AuditChainHead
from .engine.models import (
    SYSTEM_ROLE,
    AppendOnlyModel,
    Attachment,
    Notification,
    TransitionLog,
    Version,
    _now,  # the migrations name ``workflow.models._now`` and ``workflow.models.attachment_path``
    attachment_path,
)
from .inbox.models import Assignment, Deputyship, WorkItem
from .ui.models import CalendarFeed

__all__ = [
    "SYSTEM_ROLE",
    "AppendOnlyModel",
    "Assignment",
    "Attachment",
    "AuditChainHead",
    "AuditEvent",
    "CalendarFeed",
    "Copy",
    "Deputyship",
    "Notification",
    "Opening",
    "Opinion",
    "SavedPhrase",
    "TransitionLog",
    "Urging",
    "Version",
    "WorkItem",
    "_now",
    "attachment_path",
]
