import os
from pathlib import Path

import pytest

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production uses the manifest storage, which needs collectstatic; tests serve files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # ...and whitenoise serves them from the app and project directories, not a collected copy.
    settings.WHITENOISE_USE_FINDERS = True


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    # django-axes needs the request in authenticate(), which client.login() does not pass; the
    # lockout itself is tested in tests/test_security.py, which switches it back on.
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _commit_hooks_run_as_they_would(monkeypatch):
    """A test of the `db` fixture runs inside a transaction that is never committed, so the
    `transaction.on_commit` hooks public changes rely on (stories.invalidation) would never run.
    Here they run when the block that would commit in production ends: the outermost atomic
    block of the code under test, or at once for a write outside any (autocommit). Tests with
    `transaction=True` commit for real and are left as they are."""
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.transaction import Atomic

    def only_the_tests_transaction(wrapper):
        return wrapper.atomic_blocks and all(block._from_testcase for block in wrapper.atomic_blocks)

    def run_hooks(wrapper):
        while wrapper.run_on_commit:
            _, hook, _ = wrapper.run_on_commit.pop(0)
            hook()

    original_on_commit, original_exit = BaseDatabaseWrapper.on_commit, Atomic.__exit__

    def on_commit(self, func, robust=False):
        original_on_commit(self, func, robust)
        if only_the_tests_transaction(self):
            run_hooks(self)

    def exit_(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        if only_the_tests_transaction(connection):
            run_hooks(connection)
        return result

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)
    monkeypatch.setattr(Atomic, "__exit__", exit_)


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rendered pages are cached by site version; a rolled-back test database repeats versions.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor(db):
    return UserFactory(username="editor")


@pytest.fixture
def other_editor(db):
    return UserFactory(username="other-editor")


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture
def seeds():
    """The directory of the five real articles, beside the project; tests using it are skipped,
    saying where they looked, when it is not there."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}")
    return SEEDS


CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by playwright; browser tests are skipped, saying why, without it."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium): browser test skipped")
    from playwright.sync_api import sync_playwright

    # playwright's sync API runs an event loop in this thread; the ORM calls of the test are still
    # synchronous and sequential, so Django's async-safety guard does not apply to them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir():
    """Where browser tests save their screenshots (CI prints this path)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
