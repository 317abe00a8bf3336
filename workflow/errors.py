"""The one error type a user sees: a translated message, optionally tied to form fields, with an HTTP status."""


class WorkflowError(Exception):
    def __init__(self, message, *, field=None, errors=None, status=409):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})
        self.status = status

    def __str__(self):
        return str(self.message)


# Database triggers (PostgreSQL) raise these markers; the user reads the seed's rule in Chinese instead.
RULE_MARKERS = {
    "jiaxing:batch_window_closed": "申报批次不在申报时间内，不能提交。",
    "jiaxing:county_runs_pilot": "该县（市、区）正在开展集成改革试点，按照工作方案不再申报。",
}


def rule_violation(exc):
    """The WorkflowError for a database rule trigger's error, or None if ``exc`` is something else."""
    from django.utils.translation import gettext as _

    text = str(exc)
    for marker, message in RULE_MARKERS.items():
        if marker in text:
            return WorkflowError(_(message))
    return None
