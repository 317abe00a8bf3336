"""The id of the request being served, for the audit rows it causes (set by jiaxing_pilot.requestlog)."""

from contextvars import ContextVar

# Lives in the core (not in jiaxing_pilot) so workflow's audit code can read it without importing the project.
request_id = ContextVar("request_id", default="")


def with_request_id(details):
    """``details`` plus the current request's id, when there is one (not in tasks and commands)."""
    rid = request_id.get()
    return {**(details or {}), "request_id": rid} if rid else (details or {})
