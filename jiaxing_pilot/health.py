"""/healthz: the state of the database, the cache and the Celery broker, for probes and operators."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from jiaxing_pilot.celery import app


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value it was given")


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith("memory"):
        return

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def healthz(request):
    result, failed = {}, []
    for name, check in CHECKS.items():
        try:
            check()
            result[name] = "ok"
        except Exception as exc:  # a probe reports every failure, whatever it is
            result[name] = f"error: {exc.__class__.__name__}: {exc}"[:200]
            failed.append(name)
    body = {"status": "ok" if not failed else "error", "checks": result, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200, json_dumps_params={"ensure_ascii": False})
