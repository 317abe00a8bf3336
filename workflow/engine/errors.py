"""The one error type a user sees: a translated message, optionally tied to form fields, with an HTTP status;
and the registry of database rule markers each app contributes (``register_rule``)."""


class WorkflowError(Exception):
    def __init__(self, message, *, field=None, errors=None, status=409):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})
        self.status = status

    def __str__(self):
        return str(self.message)


# Database triggers (PostgreSQL) raise a marker such as ``jiaxing:batch_window_closed``; the user reads the
# seed's rule in Chinese instead. The app that owns the trigger registers its message from ``ready()``.
RULE_MARKERS = {}


def register_rule(marker, message):
    """``message`` is a lazy translation (``gettext_lazy``), shown when a trigger raises ``marker``."""
    RULE_MARKERS[marker] = message


def rule_violation(exc):
    """The WorkflowError for a database rule trigger's error, or None if ``exc`` is something else."""
    text = str(exc)
    for marker, message in RULE_MARKERS.items():
        if marker in text:
            return WorkflowError(str(message))
    return None
