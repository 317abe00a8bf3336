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
