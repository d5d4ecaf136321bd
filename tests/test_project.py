"""Settings from the environment, migrations in step with the models."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


def run_check(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_start_up_without_debug_or_secret_key_fails_saying_what_to_set():
    result = run_check()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_start_up_with_a_secret_key_succeeds_and_debug_is_off_by_default():
    result = run_check(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django;django.setup();from django.conf import settings;print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        },
        capture_output=True,
        text=True,
    )
    assert probe.stdout.strip() == "False", probe.stderr


def test_a_bad_boolean_is_refused_by_name():
    result = run_check(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_debug_without_a_key_starts_with_a_throwaway_key():
    assert run_check(DJANGO_DEBUG="1").returncode == 0


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_a_duplicate_threshold_outside_0_to_1_is_refused_by_name():
    result = run_check(DJANGO_DEBUG="1", NEWSROOM_DEDUP_SUGGEST="1.5")
    assert result.returncode != 0
    assert "NEWSROOM_DEDUP_SUGGEST='1.5' is not a number from 0 to 1" in result.stderr
