"""Request ids and the operator's log: one line per request (id, user, status, duration, instance), text or
JSON (``LOG_FORMAT=json``); the id is answered in ``X-Request-ID``, shown on error pages and stored in audit rows."""

import json
import logging
import os
import re
import socket
import time
import uuid
from datetime import UTC, datetime

from django.http import HttpResponseServerError
from django.template import loader
from django.utils.functional import empty

from workflow.engine.request_context import request_id as _request_id

logger = logging.getLogger("jiaxing_pilot.request")

# nginx passes its own $request_id (32 hex); anything else a client sends is replaced, not trusted.
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Which web process answered: the systemd unit sets APP_INSTANCE=host:port (deploy/jiaxing-pilot-web@.service).
INSTANCE = os.environ.get("APP_INSTANCE") or f"{socket.gethostname()}:{os.getpid()}"


def current_request_id():
    return _request_id.get()


def _user_id(request):
    """The user's id if the request already loaded the user; never an extra query just for the log."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


def _loggable_path(request):
    # Secret tokens in URLs (the ICS feed, password links) must not end up in the log.
    path = request.path
    match = getattr(request, "resolver_match", None)
    for key, value in match.kwargs.items() if match else ():
        if "token" in key and value:
            path = path.replace(str(value), "[redacted]")
    return path


class RequestLogMiddleware:
    """Outermost middleware: gives each request its id and writes its one log line when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = _request_id.set(rid)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            fields = {
                "method": request.method,
                "path": _loggable_path(request),
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user_id": _user_id(request),
            }
            logger.info(
                "%(method)s %(path)s %(status)s %(duration_ms)sms user=%(user_id)s",
                fields,
                extra={"http": fields, "request_id": rid},
            )
            return response
        finally:
            _request_id.reset(token)


def server_error(request, template_name="500.html"):
    """handler500: the plain 500 page, with the request id the operator will look for in the log."""
    template = loader.get_template(template_name)
    return HttpResponseServerError(template.render({"request_id": getattr(request, "request_id", "")}))


class RequestIdFilter(logging.Filter):
    """Puts the current request id and the instance on every log record (empty outside a request)."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = _request_id.get() or "-"
        record.instance = INSTANCE
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers; request lines carry method, path, status, duration, user."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "instance": getattr(record, "instance", INSTANCE),
        }
        entry.update(getattr(record, "http", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
