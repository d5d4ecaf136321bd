"""Settings for Newsroom, read from the environment.

Every variable is documented in docs/operations.md (and docs/api.md, docs/ingest.md). Production-safe by
default: DEBUG is off unless DJANGO_DEBUG says otherwise, and without DEBUG a secret key
must be given.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1/0, true/false, yes/no, on/off.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_fraction(name, default):
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number from 0 to 1.")
    return number


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development, which uses a throwaway key."
        )
    # Development only: a fresh key per process; sessions do not survive a restart.
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "simple_history",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "stories",
    "matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the session is read: a cookie holding a NUL character is ignored.
    "stories.middleware.UnstorableCookiesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "stories.middleware.DatabaseUnavailableMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "stories.middleware.AdminStylePolicyMiddleware",
    # Before any view reads the database, after the security headers are set: an address or query
    # parameter holding a NUL character answers 400.
    "stories.middleware.UnstorableInputMiddleware",
    # Last, as django-axes asks: locks out repeated failed admin logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stories.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if os.environ.get("DJANGO_TEST_DB_NAME"):
    # Lets two test runs share one PostgreSQL server without clobbering each other.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DJANGO_TEST_DB_NAME"]}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Lets several environments share one Redis without reading each other's pages.
            "KEY_PREFIX": os.environ.get("NEWSROOM_CACHE_PREFIX", "newsroom"),
        }
    }
else:
    # Per process: with several gunicorn workers, set REDIS_URL so caches and throttles are shared.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# --- Public site -------------------------------------------------------------------------------
# How long a shared cache (CDN, Varnish) or a browser may keep a public page without asking again.
NEWSROOM_PUBLIC_MAX_AGE = env_int("NEWSROOM_PUBLIC_MAX_AGE", 60)
# How long a rendered public page is kept in Django's cache (any save invalidates it at once).
NEWSROOM_PAGE_CACHE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_SECONDS", 600)
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")
# Who may put the live timeline (/embed/timeline/) in a frame: the sources of its CSP
# frame-ancestors, comma-separated, e.g. "https://partner.example.org,https://other.example";
# "*" (the default) lets any site embed it. Every other page refuses to be framed.
NEWSROOM_EMBED_FRAME_ANCESTORS = env_list("NEWSROOM_EMBED_FRAME_ANCESTORS", ["*"])
# How often the embedded timeline asks whether it changed (a conditional GET, 304 while not).
NEWSROOM_EMBED_REFRESH_SECONDS = env_int("NEWSROOM_EMBED_REFRESH_SECONDS", 60)

# --- Editorial desk ----------------------------------------------------------------------------
# How many editors must agree before a verdict is public: 2, the proposer and a different
# approver (the default); 1 for a one-person desk, where a proposal is public at once.
NEWSROOM_VERDICT_REVIEWS = env_int("NEWSROOM_VERDICT_REVIEWS", 2)
if NEWSROOM_VERDICT_REVIEWS not in (1, 2):
    raise ImproperlyConfigured(
        f"NEWSROOM_VERDICT_REVIEWS={NEWSROOM_VERDICT_REVIEWS} is not supported: use 2 (a proposer and a "
        "second editor who approves) or 1 (a one-person desk)."
    )


def _git_head():
    try:
        head = (BASE_DIR / ".git" / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            head = (BASE_DIR / ".git" / head[5:]).read_text().strip()
        return head[:12]
    except OSError:
        return "dev"


# Part of every public page's ETag and cache key, so a deploy never serves the old pages.
NEWSROOM_RELEASE = os.environ.get("NEWSROOM_RELEASE") or _git_head()

# --- Serving in production -----------------------------------------------------------------------
# Behind a TLS-terminating proxy set DJANGO_SECURE_PROXY_SSL_HEADER=1 (trust X-Forwarded-Proto),
# DJANGO_SECURE_SSL_REDIRECT=1, DJANGO_SECURE_COOKIES=1 and DJANGO_SECURE_HSTS_SECONDS=31536000.
# They stay off by default so `make serve` works over plain HTTP on 127.0.0.1.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): nothing but this site's own files; no inline script.
# Only the admin's pages and the API docs allow inline style, which their UIs write.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],  # the admin and API docs add 'unsafe-inline' (stories.middleware)
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Admin login lockout (django-axes): after AXES_FAILURE_LIMIT failed attempts for one user name
# from one client address, that pair is refused (HTTP 429) for the cool-off period. Failures from
# one address never lock the same user name out at another address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("NEWSROOM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("NEWSROOM_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind N proxies (DJANGO_NUM_PROXIES, as for the API throttling) every request arrives from the
# last proxy's address, so the lockout takes the client's address from X-Forwarded-For instead.
NEWSROOM_NUM_PROXIES = env_int("DJANGO_NUM_PROXIES", 0)


def client_address(request):
    """The client's address as the trusted proxies report it. Each proxy appends the address it
    got the request from to X-Forwarded-For, so with N proxies the client's is the N-th from the
    right; whatever the client wrote into the header itself is further left and never read.
    Without proxies (or without the header) it is the address of the connection. The API
    throttling (REST_FRAMEWORK's NUM_PROXIES) reads the header the same way."""
    from django.conf import settings

    proxies = settings.NEWSROOM_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if proxies <= 0 or not addresses:
        return request.META.get("REMOTE_ADDR")
    return addresses[-min(proxies, len(addresses))]


AXES_CLIENT_IP_CALLABLE = client_address  # django-ipware (AXES_IPWARE_*) is not installed
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Ingest and duplicate detection ---------------------------------------------------------------
# An item whose plain-text body, summary, title or source name is longer than this many
# characters is refused. Title and source name cannot exceed their columns (300 and 200). The body,
# summary and title together feed PostgreSQL's stored full-text vector, which holds at most 1 MB:
# 200,000 characters of distinct words take about half of it; an item that still overflows it
# fails alone, naming the item.
NEWSROOM_INGEST_MAX_BODY_CHARS = env_int("NEWSROOM_INGEST_MAX_BODY_CHARS", 200_000)
NEWSROOM_INGEST_MAX_SUMMARY_CHARS = env_int("NEWSROOM_INGEST_MAX_SUMMARY_CHARS", 5_000)
NEWSROOM_INGEST_MAX_TITLE_CHARS = env_int("NEWSROOM_INGEST_MAX_TITLE_CHARS", 300)
NEWSROOM_INGEST_MAX_SOURCE_NAME_CHARS = env_int("NEWSROOM_INGEST_MAX_SOURCE_NAME_CHARS", 200)
if NEWSROOM_INGEST_MAX_TITLE_CHARS > 300 or NEWSROOM_INGEST_MAX_SOURCE_NAME_CHARS > 200:
    raise ImproperlyConfigured(
        "NEWSROOM_INGEST_MAX_TITLE_CHARS may be at most 300 and NEWSROOM_INGEST_MAX_SOURCE_NAME_CHARS "
        "at most 200: the columns hold no more."
    )
# A file larger than this many bytes is refused before it is read.
NEWSROOM_INGEST_MAX_FILE_BYTES = env_int("NEWSROOM_INGEST_MAX_FILE_BYTES", 20_000_000)
# Similarity (max of exact Jaccard and containment of 5-word shingles, 0 to 1) at or above which a
# new story is merged into the existing one, and from which a pair is queued for editors.
NEWSROOM_DEDUP_AUTO_LINK = env_fraction("NEWSROOM_DEDUP_AUTO_LINK", 0.9)
NEWSROOM_DEDUP_SUGGEST = env_fraction("NEWSROOM_DEDUP_SUGGEST", 0.5)
if NEWSROOM_DEDUP_SUGGEST > NEWSROOM_DEDUP_AUTO_LINK:
    raise ImproperlyConfigured("NEWSROOM_DEDUP_SUGGEST must not be above NEWSROOM_DEDUP_AUTO_LINK.")

# --- Claim memory (the matching app; docs/ingest.md, "Claim memory") -----------------------------
# After each ingest, the story's sentences are matched against the claims the desk has checked.
# Semantic matching (multilingual embeddings) needs the `semantic` extra; NEWSROOM_MATCHING_SEMANTIC=0
# falls back to the lexical matcher even where it is installed.
NEWSROOM_MATCHING_ON_INGEST = env_bool("NEWSROOM_MATCHING_ON_INGEST", True)
NEWSROOM_MATCHING_SEMANTIC = env_bool("NEWSROOM_MATCHING_SEMANTIC", True)
# The language the desk writes its claims in (a primary language tag).
NEWSROOM_CLAIM_LANGUAGE = os.environ.get("NEWSROOM_CLAIM_LANGUAGE", "en")
# Cosine of sentence and claim embeddings from which a match is suggested to editors, and from
# which it is accepted at once; a sentence in another language than the claims' is suggested from
# its own, lower threshold and never accepted automatically. Tuned on the evaluation set
# (docs/ingest.md, Claim memory).
NEWSROOM_MATCHING_SUGGEST = env_fraction("NEWSROOM_MATCHING_SUGGEST", 0.75)
NEWSROOM_MATCHING_SUGGEST_ACROSS = env_fraction("NEWSROOM_MATCHING_SUGGEST_ACROSS", 0.5)
NEWSROOM_MATCHING_AUTO_ACCEPT = env_fraction("NEWSROOM_MATCHING_AUTO_ACCEPT", 0.92)
# The same two thresholds for the lexical matcher (Dice coefficient of the normalised words).
NEWSROOM_MATCHING_LEXICAL_SUGGEST = env_fraction("NEWSROOM_MATCHING_LEXICAL_SUGGEST", 0.5)
NEWSROOM_MATCHING_LEXICAL_AUTO_ACCEPT = env_fraction("NEWSROOM_MATCHING_LEXICAL_AUTO_ACCEPT", 0.95)
# Cosine of two stories' whole-story embeddings (in different languages, each the other's closest)
# from which the pair is queued in the duplicate queue as translations of one another (never
# merged automatically).
NEWSROOM_TRANSLATION_SUGGEST = env_fraction("NEWSROOM_TRANSLATION_SUGGEST", 0.6)
for _suggest, _accept in (
    ("NEWSROOM_MATCHING_SUGGEST", "NEWSROOM_MATCHING_AUTO_ACCEPT"),
    ("NEWSROOM_MATCHING_LEXICAL_SUGGEST", "NEWSROOM_MATCHING_LEXICAL_AUTO_ACCEPT"),
):
    if globals()[_suggest] > globals()[_accept]:
        raise ImproperlyConfigured(f"{_suggest} must not be above {_accept}.")

# --- The JSON API (/api/) ------------------------------------------------------------------------
# Read-only for anyone; writes (POST /api/v1/stories/) need a token (admin: Auth Token > Tokens)
# whose user has the "stories.add_story" permission. Anonymous clients are throttled per address.
NEWSROOM_API_ANON_RATE = os.environ.get("NEWSROOM_API_ANON_RATE", "120/minute") or None  # "" = no limit
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["stories.api.permissions.ReadOnlyOrIngest"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["stories.api.parsers.JSONParser"],
    # Errors are JSON naming the problem; a body over DATA_UPLOAD_MAX_MEMORY_SIZE answers 413.
    "EXCEPTION_HANDLER": "stories.api.exceptions.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["stories.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "stories.api.pagination.PageNumberWithCount",
    "DEFAULT_SCHEMA_CLASS": "stories.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["stories.api.permissions.AnonymousThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": NEWSROOM_API_ANON_RATE},
    # Behind N proxies that append to X-Forwarded-For, set DJANGO_NUM_PROXIES=N so throttling
    # counts the client's address, not the proxy's.
    "NUM_PROXIES": env_int("DJANGO_NUM_PROXIES", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom API",
    "DESCRIPTION": (
        "The curated coverage as JSON: published stories, checked claims with their verdicts and "
        "evidence, sources, and the verified timeline (also in TimelineJS format). Read-only for "
        "anyone; ingesting a story needs a token."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads Swagger UI from this site's own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Cross-origin browser access (django-cors-headers) is off: no origin is allowed unless listed,
# e.g. NEWSROOM_API_CORS_ORIGINS=https://partner.example.org,https://other.example.
CORS_ALLOWED_ORIGINS = env_list("NEWSROOM_API_CORS_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS", "POST"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "corsheaders.middleware.CorsMiddleware"
)
