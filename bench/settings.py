"""Settings for the office-pages benchmark (bench/office_pages.py): the production settings with DEBUG off, served
over plain HTTP on loopback, persistent database connections as deploy/jiaxing-pilot.env.example sets them, and
sessions as production keeps them (cached_db when REDIS_URL is set, else the database)."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("CONN_MAX_AGE", "60")

from jiaxing_pilot.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True

# bench/real_use.py's run with every cache off: no cache at all (Django's dummy backend: every read misses, every
# write is dropped) and sessions in the database only.
if os.environ.get("BENCH_NO_CACHE"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
