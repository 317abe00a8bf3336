"""All settings, read from the environment through django-environ; embedded defaults run everything locally."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# The embedded key only ever serves DEBUG runs; a real deployment must set its own.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-jiaxing-pilot-0000000000")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_fsm",
    "pgtrigger",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "django_htmx",
    "accounts",
    "workflow",
    "pilots",
    "applications",
    "reviews",
    "reports",
    "jiaxing_pilot",  # its management commands: backup, restore
]

MIDDLEWARE = [
    "jiaxing_pilot.requestlog.RequestLogMiddleware",  # first: times the whole request, gives it its id
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.sessions.IdleTimeoutMiddleware",  # after SessionMiddleware: marks the session it then saves
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SecurityGateMiddleware",  # second factor, then an expired or reset password
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workflow.middleware.WorkflowErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiaxing_pilot.urls"
WSGI_APPLICATION = "jiaxing_pilot.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workflow.inbox.context_processors.roles",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A kept connection is tested before a request uses it: after PostgreSQL restarts each process reconnects instead of
# answering 500 once (.ci/production restarts it mid-journey). On by default; CONN_HEALTH_CHECKS=0 turns it off.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool(
    "CONN_HEALTH_CHECKS", default=bool(DATABASES["default"].get("CONN_HEALTH_CHECKS", True))
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction begins and others wait (up to 20 s) instead of failing:
    # SQLite's stand-in for the row locks PostgreSQL gives select_for_update.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Django's Redis backend, keeping one client per connection pool (jiaxing_pilot/cache.py says why).
    CACHES = {"default": {"BACKEND": "jiaxing_pilot.cache.ReusingRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {
    # The outbox sweep delivers anything a lost broker message left behind (see workflow/tasks.py).
    "deliver-pending-notifications": {
        "task": "workflow.tasks.deliver_pending",
        "schedule": timedelta(minutes=1),
    },
    "verify-audit-chain": {
        "task": "workflow.verify_audit_chain",
        "schedule": crontab(hour=2, minute=30),  # 02:30 Asia/Shanghai; alerts the security administrators
    },
    "send-daily-digests": {
        "task": "workflow.tasks.send_digests",
        "schedule": crontab(hour=8, minute=0),  # 08:00 Asia/Shanghai
    },
    # Quarterly reports (reports/tasks.py): the quarters of every term, then the day's reminders.
    "fill-report-quarters": {"task": "reports.fill_report_quarters", "schedule": timedelta(minutes=10)},
    "send-report-reminders": {"task": "reports.send_report_reminders", "schedule": crontab(hour=7, minute=30)},
    "close-ended-terms": {"task": "reports.close_ended_terms", "schedule": crontab(hour=0, minute=45)},
    # Self-evaluations (reviews/tasks.py): before, on and after their due date, as the reports' reminders.
    "send-self-evaluation-reminders": {
        "task": "reviews.send_self_evaluation_reminders",
        "schedule": crontab(hour=7, minute=35),
    },
    # The dashboard's figures, counted once a minute for every reader (reports.dashboard.figures.refresh_snapshot).
    "refresh-dashboard": {"task": "reports.refresh_dashboard", "schedule": timedelta(minutes=1)},
}
# A dashboard snapshot older than this (beat stopped) is not shown: the page counts the figures itself.
DASHBOARD_SNAPSHOT_MAX_AGE = env.int("DASHBOARD_SNAPSHOT_MAX_AGE", default=300)

# --- E-mail -----------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_smtp_options = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_TIMEOUT": "timeout",
}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _mail_options = {new: _email[old] for old, new in _smtp_options.items() if _email.get(old) not in (None, "")}
elif _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):  # EMAIL_URL=filemail:// (tests, audits)
    _mail_options = {"file_path": env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))}
else:
    _mail_options = {}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="嘉兴市县域集成改革试点系统 <noreply@localhost>")

# --- Auth and security (等保 level 3, see README "Security") -----------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_COOLOFF_TIME = None  # only an administrator unlocks (axes_reset / admin)
# Lock the account, not the address: on a government intranet a whole bureau shares one NAT address,
# so an IP lockout would lock out colleagues who did nothing wrong.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# 等保 level 3, the "later" column (README "Security"): second factor, password age, tamper-evident audit.
# The roles that must pass a TOTP second factor; on by default in production, off for the DEBUG demo logins.
_OTP_DEFAULT_ROLES = "" if DEBUG else "reform_office,committee,system_admin,security_admin,audit_admin"
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[r for r in _OTP_DEFAULT_ROLES.split(",") if r])
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="嘉兴市县域集成改革试点")
OTP_BACKUP_CODES = 10
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=0 if DEBUG else 90)  # 0: passwords never age
AUDIT_HASH = env("AUDIT_HASH", default="sha256")  # sm3: 国密 SM3 via gmssl
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)  # purge_audit refuses anything younger

SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# An idle timeout: the age counts from the last request, recorded at most once a minute (accounts/sessions.py)
# instead of a session write on every request.
SESSION_SAVE_EVERY_REQUEST = False
# Sessions live in the database only: who is signed in is read where memberships are, so it answers with Redis
# down (Django's cached_db answered 500 then: its load, exists and delete write to the cache unguarded) and a
# sign-out is never undone by a cache that comes back with the old session (.ci/production's Redis drill).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_ACTIVITY_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if not DEBUG:
    # Behind the HTTPS proxy; the proxy sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads live outside the static root and are only served through an access-checking view.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Never routed: uploads are served only through workflow.ui.views.attachment_download.
MEDIA_URL = "/_private_media/"
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Domain settings --------------------------------------------------------------------------
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
PILOT_TERM_YEARS = env.int("PILOT_TERM_YEARS", default=2)
REPORT_DUE_DAYS = env.int("REPORT_DUE_DAYS", default=15)
# The county self-evaluates within this many days of the term's end (总结评估; the deadline on 我的日程).
SELF_EVALUATION_DAYS = env.int("SELF_EVALUATION_DAYS", default=30)
# Days before that due date the county is reminded (then on the day; the office is told once it is overdue).
SELF_EVALUATION_REMINDER_DAYS = env.int("SELF_EVALUATION_REMINDER_DAYS", default=5)
# Similarity (0–100) at which a plan task is flagged as repeating an existing one (机械叠加).
STACKING_THRESHOLD = env.int("STACKING_THRESHOLD", default=60)
# The longest one extension request may move a pilot's end date (months after the current end; 适当延期).
EXTENSION_MAX_MONTHS = env.int("EXTENSION_MAX_MONTHS", default=12)
OPINION_DUE_DAYS = env.int("OPINION_DUE_DAYS", default=7)
# Days a 市级有关单位 or guidance unit is given, by default, to reply to a problem item the office assigns to it.
PROBLEM_REPLY_DAYS = env.int("PROBLEM_REPLY_DAYS", default=15)
# 年度考评加分 proposed per promotion level (seed 三（三）: 在省市推广的酌情加分; the office confirms each one).
# National promotion is not named in the seed: set BONUS_POINTS_NATIONAL=0 (or None here) to propose nothing.
BONUS_POINTS = {
    "city": env.float("BONUS_POINTS_CITY", default=1.0),
    "province": env.float("BONUS_POINTS_PROVINCE", default=2.0),
    "national": env.float("BONUS_POINTS_NATIONAL", default=3.0),
}
# Seed 三（三）: 试点工作富有成效 — a promotion proposes points only for a pilot whose evaluation reached this grade
# (excellent, good, pass or fail: 优秀, 良好, 合格, 不合格); a pilot not yet evaluated waits for its evaluation.
BONUS_MIN_GRADE = env("BONUS_MIN_GRADE", default="pass")
SEED_DEMO_PASSWORD = env("SEED_DEMO_PASSWORD", default="Jiaxing#2026")

# One line per request with its id, user, status and duration (jiaxing_pilot/requestlog.py); LOG_FORMAT=json
# for log shippers. Every line carries the request id and the instance (APP_INSTANCE) that wrote it.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "jiaxing_pilot.requestlog.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(instance)s %(request_id)s] %(message)s"},
        "json": {"()": "jiaxing_pilot.requestlog.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
