"""Settings for the office-pages benchmark (bench/office_pages.py): the production settings with DEBUG off,
served over plain HTTP on loopback, sessions in the database (shared by the seeding process and gunicorn)."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from jiaxing_pilot.settings import *  # noqa: F403
from jiaxing_pilot.settings import MIDDLEWARE

DEBUG = False
ROOT_URLCONF = "bench.urls"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Both sides of the comparison run behind the same stack; the login gate (second factor, password age) is
# left out because the benchmark's sessions are made without a login form.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "accounts.middleware.SecurityGateMiddleware"]
CELERY_TASK_ALWAYS_EAGER = True
