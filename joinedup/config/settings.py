"""The one settings object of JoinedUp, read from the environment.

JOINEDUP_ENV is development (the default), test or production. Outside
development a secret key must be given: the development default is refused.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("JOINEDUP_VAR_DIR", BASE_DIR / "var"))

JOINEDUP_ENV = os.environ.get("JOINEDUP_ENV", "development")
if JOINEDUP_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"JOINEDUP_ENV must be development, test or production, not {JOINEDUP_ENV!r}")

DEVELOPMENT_SECRET_KEY = "development-only-not-secret-joinedup-key-0000000000000000"  # noqa: S105
SECRET_KEY = os.environ.get("JOINEDUP_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if JOINEDUP_ENV != "development" and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "JOINEDUP_SECRET_KEY is unset or left at the development default; "
        f"set a secret of your own to run with JOINEDUP_ENV={JOINEDUP_ENV}."
    )
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("JOINEDUP_SECRET_KEY must be at least 50 characters long.")

# Keys the audit log's hash chain; keep it apart from the database's backups.
JOINEDUP_AUDIT_KEY = os.environ.get("JOINEDUP_AUDIT_KEY", SECRET_KEY)
# How many hash chains the audit log keeps on PostgreSQL, so that concurrent writers need not queue (ADR 0030).
JOINEDUP_AUDIT_CHAINS = int(os.environ.get("JOINEDUP_AUDIT_CHAINS", "8"))
if not 1 <= JOINEDUP_AUDIT_CHAINS <= 64:
    raise ImproperlyConfigured("JOINEDUP_AUDIT_CHAINS must be between 1 and 64.")
if JOINEDUP_ENV == "production" and "JOINEDUP_AUDIT_KEY" not in os.environ:
    raise ImproperlyConfigured("Set JOINEDUP_AUDIT_KEY in production: the audit chain's key, kept apart from backups.")

DEBUG = os.environ.get("JOINEDUP_DEBUG", "1" if JOINEDUP_ENV == "development" else "0") == "1"
if DEBUG and JOINEDUP_ENV == "production":
    raise ImproperlyConfigured("JOINEDUP_DEBUG=1 is refused in production: error pages would reveal data.")
ALLOWED_HOSTS = [h for h in os.environ.get("JOINEDUP_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JOINEDUP_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "joinedup.core",
    "joinedup.directory",
    "joinedup.clients",
    "joinedup.tasks",
    "joinedup.handover",
    "joinedup.fhir",
    "joinedup.hospital",
    "joinedup.crisis",
    "joinedup.careplans",
    "joinedup.governance",
]

# The Page* classes are Django's (and JoinedUp's) own middleware for every request but the API's,
# which a bearer token alone authenticates: they have nothing to do for it (ADR 0048).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "joinedup.core.page_middleware.PageSessionMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "joinedup.core.page_middleware.PageAuthenticationMiddleware",
    "joinedup.core.page_middleware.PageMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "joinedup.core.middleware.NoStoreMiddleware",
    "joinedup.core.page_middleware.PageSessionLifetimeMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]
if os.environ.get("JOINEDUP_AUDIT_COUNT_HEADER") == "1":  # the load test only (bench/load_test.py)
    MIDDLEWARE.insert(0, "joinedup.core.middleware.AuditCountMiddleware")

ROOT_URLCONF = "joinedup.config.urls"
WSGI_APPLICATION = "joinedup.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "joinedup" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "joinedup.config.jinja2.environment"},
    },
    {
        # The Django admin only.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'joinedup.sqlite3'}"
_database_url = os.environ.get("DATABASE_URL", _default_db)
if _database_url == _default_db:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        _database_url, conn_max_age=0 if _database_url.startswith("sqlite") else 60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding, and statements prepared after their 5th use on a connection: PostgreSQL then
    # plans a query once, not at every request (a client read's seven-table join took 2.3 ms to plan and
    # 0.1 ms to run). Connect directly, or through a pooler that keeps sessions (ADR 0032).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": int(os.environ.get("JOINEDUP_DB_PREPARE_THRESHOLD", "5"))}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Durability first: WAL, synchronous=FULL and foreign keys are set on every
    # connection and read back (joinedup.core.database refuses a connection without them).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "directory.Practitioner"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in after repeated failures (see AXES_* below)
    "django.contrib.auth.backends.ModelBackend",  # refuses inactive users, also for existing sessions
]
PASSWORD_HASHERS = [
    "joinedup.core.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if JOINEDUP_ENV == "test" and os.environ.get("JOINEDUP_FAST_HASHER") == "1":
    # Test fixtures create many users; argon2id itself is covered by its own test.
    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.MD5PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
CSRF_FAILURE_VIEW = "joinedup.core.views.csrf_failure"
LOGIN_URL = "/sign-in/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/sign-in/"

SESSION_COOKIE_AGE = 30 * 60  # idle: a session unused for 30 minutes ends
SESSION_SAVE_EVERY_REQUEST = False  # renewed by core.middleware.SessionLifetimeMiddleware
JOINEDUP_SESSION_RENEW_SECONDS = 60  # at most this often: an idle session ends 29 to 30 minutes on
JOINEDUP_SESSION_MAX_HOURS = 12  # absolute: however busy, a session ends 12 hours after sign-in
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True  # pages carry the token in their forms and htmx headers, never read from the cookie

# Sign-in throttling (django-axes): after 5 failures for a username from one address, sign-in is
# refused (429) for 15 minutes, whatever the password. Per username and address together, so that
# nobody can lock a colleague out from elsewhere, and a shared NHS network address does not lock out
# everyone behind it. Every attempt is in the audit log (core.sign_in_audit).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "joinedup.core.views.sign_in_locked"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
if JOINEDUP_ENV == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = os.environ.get("JOINEDUP_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if os.access(VAR_DIR.parent, os.W_OK):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even when serving from the finders
STATICFILES_DIRS = [BASE_DIR / "joinedup" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JOINEDUP_LOG_LEVEL", "WARNING")},
}

# --- JoinedUp's own settings -------------------------------------------------

# Roles that may use emergency access ("break glass"), and for how long it lasts.
JOINEDUP_EMERGENCY_ACCESS_ROLES = ["practitioner", "on_call", "team_manager", "mdt_coordinator"]
JOINEDUP_EMERGENCY_ACCESS_MINUTES = int(os.environ.get("JOINEDUP_EMERGENCY_ACCESS_MINUTES", "240"))
# Who holds a disputed client meanwhile: "lead_agency" or "pooled" (handover.rules.GovernanceModel).
JOINEDUP_GOVERNANCE_MODEL = os.environ.get("JOINEDUP_GOVERNANCE_MODEL", "lead_agency")
# Ping-pong: this many declines or hand-backs between two organisations within the window open a dispute.
JOINEDUP_PING_PONG_WINDOW_DAYS = int(os.environ.get("JOINEDUP_PING_PONG_WINDOW_DAYS", "30"))
JOINEDUP_PING_PONG_THRESHOLD = int(os.environ.get("JOINEDUP_PING_PONG_THRESHOLD", "2"))
# After a transfer of care is accepted, the sending team may follow it up for this many days.
JOINEDUP_HANDOVER_FOLLOW_UP_DAYS = int(os.environ.get("JOINEDUP_HANDOVER_FOLLOW_UP_DAYS", "14"))
# The handover information set; empty means the default set of handover.information.
JOINEDUP_HANDOVER_INFORMATION_SET: list[dict[str, object]] = []
JOINEDUP_API_TOKEN_DAYS = int(os.environ.get("JOINEDUP_API_TOKEN_DAYS", "90"))
JOINEDUP_DEMO_PASSWORD = os.environ.get("JOINEDUP_DEMO_PASSWORD", "joinedup-demo-2026")

# The FHIR interface: the team accountable for imported clients whose GP practice JoinedUp does not
# know (a team name; ADR 0026), and how many resources a search page holds at most.
JOINEDUP_FHIR_IMPORT_TEAM = os.environ.get("JOINEDUP_FHIR_IMPORT_TEAM", "")
JOINEDUP_FHIR_MAX_COUNT = 200
# The hospital feed (HL7 v2 ADT over MLLP): see docs/how-to/hospital-feed.md.
JOINEDUP_HOSPITAL_RULES_FILE = os.environ.get(
    "JOINEDUP_HOSPITAL_RULES_FILE", str(BASE_DIR / "joinedup" / "hospital" / "followup_rules.yaml")
)
# The team that owns feed exceptions (messages that need a person).
JOINEDUP_HOSPITAL_INTEGRATION_TEAM = os.environ.get(
    "JOINEDUP_HOSPITAL_INTEGRATION_TEAM", "Thameside Hospital Feed Integration"
)
# Accountable for a client the feed creates whose GP practice is not known (a team with a locality); empty: none.
JOINEDUP_HOSPITAL_DEFAULT_TEAM = os.environ.get("JOINEDUP_HOSPITAL_DEFAULT_TEAM", "")
# A readmission within this many days of a discharge is a bounce.
JOINEDUP_HOSPITAL_BOUNCE_DAYS = int(os.environ.get("JOINEDUP_HOSPITAL_BOUNCE_DAYS", "30"))
# The listener applies at most this many messages in one transaction.
JOINEDUP_HOSPITAL_BATCH_SIZE = int(os.environ.get("JOINEDUP_HOSPITAL_BATCH_SIZE", "500"))
# adt-listen's processes sharing the port (hospital.adt.processes): one per core on PostgreSQL.
JOINEDUP_HOSPITAL_PROCESSES = int(os.environ.get("JOINEDUP_HOSPITAL_PROCESSES", "1"))
# Crisis: urgent community response (joinedup.crisis). Service hours as JSON per service, e.g.
# {"urgent_community_response": {"opens": "08:00", "closes": "20:00", "days": ["mon", ..., "sun"],
# "bank_holidays_off": false}}; empty keeps the defaults (crisis.rules.DEFAULT_SERVICE_HOURS).
JOINEDUP_CRISIS_SERVICE_HOURS = os.environ.get("JOINEDUP_CRISIS_SERVICE_HOURS", "")
JOINEDUP_CRISIS_BOARD_POLL_SECONDS = int(os.environ.get("JOINEDUP_CRISIS_BOARD_POLL_SECONDS", "10"))
# What every board shows alike (who is on call, bridging capacity) is computed once per this many seconds.
JOINEDUP_CRISIS_BOARD_SHARED_SECONDS = int(os.environ.get("JOINEDUP_CRISIS_BOARD_SHARED_SECONDS", "5"))
JOINEDUP_CRISIS_RELATIONSHIP_HOURS = int(os.environ.get("JOINEDUP_CRISIS_RELATIONSHIP_HOURS", "24"))
JOINEDUP_CRISIS_ROTA_LOOKAHEAD_HOURS = int(os.environ.get("JOINEDUP_CRISIS_ROTA_LOOKAHEAD_HOURS", "48"))
JOINEDUP_CRISIS_BRIDGING_PACKAGES_PER_DAY = int(os.environ.get("JOINEDUP_CRISIS_BRIDGING_PACKAGES_PER_DAY", "6"))
# Care plans, visits and MDT meetings (careplans), training (directory.training).
# Another organisation's assessment of the same kind within this many days (done or planned) is a duplicate.
JOINEDUP_DUPLICATE_ASSESSMENT_DAYS = int(os.environ.get("JOINEDUP_DUPLICATE_ASSESSMENT_DAYS", "28"))
# Training that expires within this many days shows as due on the team matrix.
JOINEDUP_TRAINING_DUE_DAYS = int(os.environ.get("JOINEDUP_TRAINING_DUE_DAYS", "60"))
# A practitioner with a visit booked keeps a relationship to the client this many days after it.
JOINEDUP_VISIT_RELATIONSHIP_DAYS = int(os.environ.get("JOINEDUP_VISIT_RELATIONSHIP_DAYS", "14"))
# Access alerts for information governance (governance, ADR 0045): more than this many record views
# of one client by one practitioner in a London day is an alert.
JOINEDUP_ACCESS_ALERT_VIEWS_PER_DAY = int(os.environ.get("JOINEDUP_ACCESS_ALERT_VIEWS_PER_DAY", "20"))
# How far behind the newest audit event the scan's bookmark stays, so that a transaction committing
# late is still read.
JOINEDUP_ACCESS_ALERT_SETTLE_MINUTES = int(os.environ.get("JOINEDUP_ACCESS_ALERT_SETTLE_MINUTES", "10"))
