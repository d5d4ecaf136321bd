"""Loaded by pytest before Django starts (see pyproject's addopts): test-only settings input."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
