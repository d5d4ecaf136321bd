"""The OpenAPI schema matches reality: schemathesis generates requests from /api/schema/ for every
operation (valid and invalid parameters and bodies, a bounded number of each) and checks that no
answer is a server error and every answer matches the schema (status code, content type, body)."""

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from .factories import UserFactory

EXAMPLES = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


# Generating the schema needs no database; the requests run inside each test's transaction.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    # As Django's test client does: a request must not close the connection holding the test's
    # transaction (on PostgreSQL that would end it; SQLite's in-memory database ignores it).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def demo_data(settings):
    # The demo data, so answers carry real nested objects; throttling out of the way.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"}}
    call_command("loaddata", "deployment", verbosity=0)


fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@schema.parametrize()
@fuzz
def test_every_operation_answers_without_server_errors_as_the_schema_says(case):
    case.call_and_validate(checks=CHECKS)


@pytest.fixture
def ingest_token():
    user = UserFactory(username="fuzzer")
    user.user_permissions.add(Permission.objects.get(codename="add_story"))
    return f"Token {Token.objects.create(user=user).key}"


@schema.include(method="POST").parametrize()
@fuzz
def test_ingest_with_a_token_answers_without_server_errors_as_the_schema_says(case, ingest_token):
    case.call_and_validate(headers={"Authorization": ingest_token}, checks=CHECKS)
