"""Settings of bench_cold.py's subprocesses: the project's settings with every cache off.

The process is started with DJANGO_DEBUG=0, NEWSROOM_PAGE_CACHE_SECONDS=0 and
NEWSROOM_API_ANON_RATE="" (no throttling) in its environment, read by newsroom.settings; on top
of that every cache alias is a DummyCache (nothing is ever kept, so no page, fragment or API answer
is served from a cache), any NEWSROOM_*CACHE*_SECONDS setting is 0, static files are served
without the manifest (so no collectstatic is needed), and each database statement is cut off after
a little more than the benchmark's per-request timeout.
"""

import warnings

import newsroom.settings as _project
from newsroom.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

_DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
CACHES = {alias: dict(_DUMMY) for alias in {"default", "template_fragments", *_project.CACHES}}
for _name in dir(_project):
    if _name.startswith("NEWSROOM_") and "CACHE" in _name and _name.endswith("SECONDS"):
        globals()[_name] = 0

# Whitenoise warns that STATIC_ROOT (collectstatic's output) is missing: no page here needs it.
warnings.filterwarnings("ignore", "No directory at", UserWarning)
STORAGES = {
    **_project.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATABASES = {"default": {**_project.DATABASES["default"]}}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "options": "-c statement_timeout=70000",
    }

# A request the benchmark cuts off is reported in its table, not as a traceback on the console.
LOGGING = {
    **_project.LOGGING,
    "loggers": {"django.request": {"level": "CRITICAL"}, "django.server": {"level": "CRITICAL"}},
}
