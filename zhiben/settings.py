"""Zhiben settings: one file, driven by environment variables (see .env.example)."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import environ

from zhiben.core.production import DEV_AUDIT_KEY_PREFIX, DEV_FIELD_KEY, DEV_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHIBEN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# development | test | production. Production refuses insecure defaults and demo mode.
ZHIBEN_ENV = env.str("ZHIBEN_ENV", default="development")
PRODUCTION = ZHIBEN_ENV == "production"
TESTING = ZHIBEN_ENV == "test" or "pytest" in sys.modules or os.environ.get("ZHIBEN_TESTING") == "1"

_DEV_SECRET = DEV_SECRET_KEY
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET)
# Off unless asked for (DEBUG=1): `make run` is what a visitor sees, so its 404 and 500 are the Chinese pages.
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# Demo mode creates persona accounts with a known password; never in production (R06).
DEMO_MODE = env.bool("ZHIBEN_DEMO", default=not PRODUCTION)
DEMO_PASSWORD = env.str("ZHIBEN_DEMO_PASSWORD", default="Demo#2024-Safe")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "huey.contrib.djhuey",
    "zhiben.core",
    "zhiben.accounts",
    "zhiben.registry",
    "zhiben.standards",
    "zhiben.hazards",
    "zhiben.inspections",
    "zhiben.enforcement",
    "zhiben.tips",
    "zhiben.indicators",
    "zhiben.campaign",
    "zhiben.accidents",
    "zhiben.supervision",
    "zhiben.oversight",
    "zhiben.assessment",
    "zhiben.risk",
    "zhiben.monitoring",
    "zhiben.sourcecontrol",
    "zhiben.training",
    "zhiben.dashboard",
    "zhiben.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhiben.core.dbrouting.ReplicaMiddleware",
    "zhiben.core.middleware.RequestContextMiddleware",
    "zhiben.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhiben.core.middleware.WorkbenchFreshnessMiddleware",
    "zhiben.accounts.middleware.SessionPolicyMiddleware",
    "zhiben.accounts.middleware.PasswordPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhiben.core.middleware.ConflictMiddleware",
]

ROOT_URLCONF = "zhiben.urls"
WSGI_APPLICATION = "zhiben.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhiben" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhiben.core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ by default, PostgreSQL through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'zhiben.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # R36: WAL, full sync, 5 s busy timeout, BEGIN IMMEDIATE so writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
    }
    DATABASES["default"]["TEST"] = (
        {"NAME": str(VAR_DIR / "test.sqlite3")} if os.environ.get("ZHIBEN_SQLITE_TEST_FILE") else {}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# A streaming replica for pages that only read (statistics, dashboards, exports): core/dbrouting.py.
if env.str("ZHIBEN_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("ZHIBEN_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["replica"].setdefault("CONN_HEALTH_CHECKS", True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["zhiben.core.dbrouting.ReplicaRouter"]
# After a change, a person reads from the primary this long (longer than the replica's usual lag).
REPLICA_PIN_SECONDS = env.int("ZHIBEN_REPLICA_PIN_SECONDS", default=10)
REPLICA_VIEWS = frozenset(
    {
        "dashboard:home",
        "hazards:hazard_stats",
        "hazards:hazard_stats_export",
        "hazards:bulletin_list",
        "enforcement:stats",
        "enforcement:stats_export",
        "tips:stats",
        "tips:stats_export",
        "tips:outcomes",
        "indicators:index",
        "indicators:compare",
        "indicators:detail",
        "indicators:records",
        "campaign:screen",
        "accidents:accident_stats",
        "assessment:ranking",
    }
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "zhiben.accounts.hashers.Argon2idHasher",  # also verifies, then upgrades, hashes of Django's Argon2 defaults
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests create many users; the policy is still checked, only hashing is cheaper.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "zhiben.accounts.passwords.LengthValidator"},
    {"NAME": "zhiben.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "zhiben.accounts.passwords.ContextWordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# R03: 5 failures for one username within 15 minutes lock it for 30 minutes.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
LOGIN_LOCKOUT = timedelta(minutes=30)
# Issue 11 #7: one source address may fail this often within LOGIN_FAILURE_WINDOW, over any accounts, before it
# is refused (429) until its failures age out; a sprayer cannot then lock accounts either.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("ZHIBEN_LOGIN_ADDRESS_LIMIT", default=20)
# R04: the three admins and 区安委办 must enrol in two-factor login (accounts.two_factor) before anything else.
# On in production; off elsewhere so the demo personas and the tests log in with the password alone.
ZHIBEN_REQUIRE_2FA = env.bool("ZHIBEN_REQUIRE_2FA", default=PRODUCTION)
# R21: the reverse proxies whose X-Forwarded-For is believed (core.middleware.client_ip); none by default.
TRUSTED_PROXIES = env.list("ZHIBEN_TRUSTED_PROXIES", default=[])
# API tokens (issue 11): every token expires, by default after 30 days; the 我的账号 page offers up to a year.
API_TOKEN_LIFETIME = timedelta(days=env.int("ZHIBEN_API_TOKEN_DAYS", default=30))
API_TOKEN_MAX_LIFETIME = timedelta(days=365)
# R05: idle timeout (admins 15 min, others 30 min) and an absolute session lifetime of 12 hours.
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_IDLE_TIMEOUT_ADMIN = timedelta(minutes=15)
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_ENGINE = "django.contrib.sessions.backends.db"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "zhiben" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "zhiben" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads live outside the web root and are served only through scoped views (R18).
MEDIA_ROOT = VAR_DIR / "media"
if TESTING:
    # Uploads and generated documents of a test run never mix with the development site's files.
    MEDIA_ROOT = Path(os.environ.get("ZHIBEN_TEST_MEDIA", VAR_DIR / "test-media"))
# No URL pattern serves this prefix, so uploads stay private; it must still be a string because Django's
# live test server wraps every request in a media handler that parses MEDIA_URL (None crashes it).
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Security headers (R20). HTTPS is terminated by the reverse proxy in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Keys. The audit chain key and the field-encryption keys never live in the database (R23, R26).
# Development derives them from SECRET_KEY; production must set them explicitly.
AUDIT_HMAC_KEY = env.str("ZHIBEN_AUDIT_KEY", default="" if PRODUCTION else DEV_AUDIT_KEY_PREFIX + SECRET_KEY)
# "1:<32 hex>,2:<32 hex>": version → SM4 key (128 bit). The highest version encrypts; all decrypt.
FIELD_ENCRYPTION_KEYS = env.str("ZHIBEN_FIELD_KEYS", default="" if PRODUCTION else f"1:{DEV_FIELD_KEY}")

REDIS_URL = env.str("ZHIBEN_REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background jobs (core/jobs.py): SQLite storage embedded, Redis when configured, immediate in tests.
HUEY = {
    "name": "zhiben",
    "immediate": TESTING or env.bool("ZHIBEN_JOBS_IMMEDIATE", default=False),
    "results": False,
    "utc": True,
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "jobs.sqlite3")})

# Notification delivery adapters (core/notify.py); console backends print instead of sending.
SMS_BACKEND = env.str("ZHIBEN_SMS_BACKEND", default="zhiben.core.outbox.ConsoleSmsBackend")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="zhiben@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "zhiben.accounts.api.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "zhiben.core.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "zhiben.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "zhiben.core.api.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "治本 Zhiben API",
    "DESCRIPTION": "安全生产治本攻坚平台接口",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models have a `kind`: name each enum after its choices instead of a hash.
    "ENUM_NAME_OVERRIDES": {
        "EnterpriseKindEnum": "zhiben.registry.choices.EnterpriseKind",
        "DepartmentKindEnum": "zhiben.registry.choices.DepartmentKind",
        "EnterpriseStatusEnum": "zhiben.registry.choices.EnterpriseStatus",
        "HazardLevelEnum": "zhiben.hazards.choices.Level",
        "HazardStatusEnum": "zhiben.hazards.choices.Status",
        "HazardSourceEnum": "zhiben.hazards.choices.Source",
        "EscalationKindEnum": "zhiben.hazards.choices.EscalationKind",
        "ExtensionStatusEnum": "zhiben.hazards.choices.ExtensionStatus",
        "SupervisionLevelEnum": "zhiben.hazards.choices.SupervisionLevel",
        "CaseStatusEnum": "zhiben.enforcement.choices.CaseStatus",
        "MeasureKindEnum": "zhiben.enforcement.choices.MeasureKind",
        "CircumstanceEnum": "zhiben.enforcement.choices.Circumstance",
        "OperationKindEnum": "zhiben.enforcement.choices.OperationKind",
        "OperationStatusEnum": "zhiben.enforcement.choices.OperationStatus",
        "ProposalStatusEnum": "zhiben.enforcement.choices.ProposalStatus",
        "InspectorKindEnum": "zhiben.inspections.choices.InspectorKind",
        "TipStatusEnum": "zhiben.tips.choices.TipStatus",
        "TipOutcomeEnum": "zhiben.tips.choices.Outcome",
        "CampaignReportOutcomeEnum": "zhiben.campaign.choices.ReportOutcome",
        "CampaignTaskStatusEnum": "zhiben.campaign.choices.TaskStatus",
        "AccidentGradeEnum": "zhiben.accidents.choices.Grade",
        "AccidentStatusEnum": "zhiben.accidents.choices.Status",
        "OversightItemStatusEnum": "zhiben.oversight.choices.ItemStatus",
        "OversightBulletinStatusEnum": "zhiben.oversight.choices.BulletinStatus",
        "SupervisionAssigneeStatusEnum": "zhiben.supervision.choices.AssigneeStatus",
        "SupervisionItemStatusEnum": "zhiben.supervision.choices.ItemStatus",
        "RiskWorkKindEnum": "zhiben.risk.choices.WorkKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "zhiben": {"level": "INFO"},
        # The consumer installs its own formatted handler; propagating would print every line twice.
        "huey": {"level": "INFO", "propagate": False},
    },
}

if PRODUCTION:
    # Issue 11: production refuses development keys, DEBUG and demo mode; every command and gunicorn stop here.
    from django.core.exceptions import ImproperlyConfigured

    from zhiben.core.production import refusal_message, refusals

    _problems = refusals(
        debug=DEBUG,
        secret_key=SECRET_KEY,
        audit_key=AUDIT_HMAC_KEY,
        field_keys=FIELD_ENCRYPTION_KEYS,
        demo_mode=DEMO_MODE,
    )
    if _problems:
        raise ImproperlyConfigured(refusal_message(_problems))
# Reference data of the apps above the registry, loaded after it by `load_reference` (idempotent each).
ZHIBEN_REFERENCE_LOADERS = [
    "zhiben.standards.reference.load_standards",
    "zhiben.hazards.reference.load_hazard_rules",
    "zhiben.inspections.reference.load_inspection_caps",
    "zhiben.inspections.reference.load_duty_rules",
    "zhiben.enforcement.reference.load_discretion_rules",
    "zhiben.campaign.reference.load_campaign_plan",
    "zhiben.oversight.reference.load_duty_lists",
    "zhiben.tips.reference.load_tip_rules",
    "zhiben.supervision.reference.load_supervision_rules",
    "zhiben.assessment.reference.load_assessment_schemes",
    "zhiben.training.reference.load_training_reference",
]
ZHIBEN_GRANT_PROVIDER = "zhiben.registry.scoping.grants_for_user"
# Seconds the workbench's 攻坚指标 (the same for everyone reading a scope) are kept in the cache; tests count
# afresh unless a test sets it (dashboard/figures.py).
ZHIBEN_FIGURES_TTL = env.int("ZHIBEN_FIGURES_TTL", default=0 if TESTING else 60)
# Seconds a person's 待办 workbench page keeps what it counted (their own writes count afresh at once;
# core/workbench.py); tests count afresh unless a test sets it.
ZHIBEN_WORKBENCH_TTL = env.int("ZHIBEN_WORKBENCH_TTL", default=0 if TESTING else 30)
# Seconds the ledgers keep their filters' region, industry and department options (registry/filter_options.py).
ZHIBEN_CHOICES_TTL = env.int("ZHIBEN_CHOICES_TTL", default=0 if TESTING else 60)
# The scope of a role assignment is named in the registry's terms (township, department, unit); accounts sits
# below the registry and gets the form from here.
ZHIBEN_ROLE_ASSIGN_FORM = "zhiben.registry.forms.RoleAssignForm"
WHITENOISE_USE_FINDERS = not PRODUCTION
