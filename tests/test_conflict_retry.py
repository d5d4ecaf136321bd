"""Rule 6: a write service aborted by a deadlock or a serialization failure runs once more."""

import threading
from collections import Counter

import psycopg.errors
import pytest
from django.db import OperationalError, connection, connections, transaction

from stories.models import Story
from stories.services.transactions import retry_once_on_conflict

from .factories import StoryFactory


def aborted(cause):
    """An error as Django raises it from psycopg's: an OperationalError caused by it."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def flaky(*errors):
    """A service failing with `errors` in turn, then answering "done"; counts its calls."""
    calls = []

    @retry_once_on_conflict
    def service():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "done"

    return service, calls


@pytest.mark.parametrize(
    "cause", [psycopg.errors.DeadlockDetected("deadlock"), psycopg.errors.SerializationFailure("serialize")]
)
def test_a_deadlock_or_serialization_failure_is_run_again_once(cause):
    service, calls = flaky(aborted(cause))
    assert service() == "done" and len(calls) == 2


def test_a_second_conflict_in_a_row_reaches_the_caller():
    service, calls = flaky(*[aborted(psycopg.errors.DeadlockDetected("deadlock"))] * 2)
    with pytest.raises(OperationalError, match="deadlock"):
        service()
    assert len(calls) == 2


def test_other_database_errors_are_not_run_again():
    service, calls = flaky(aborted(psycopg.errors.LockNotAvailable("lock timeout")), OperationalError("gone"))
    with pytest.raises(OperationalError, match="lock timeout"):
        service()
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_a_callers_transaction_it_runs_once():
    # The test's own transaction is the caller's: only the caller could start it again.
    service, calls = flaky(aborted(psycopg.errors.DeadlockDetected("deadlock")))
    with pytest.raises(OperationalError, match="deadlock"):
        service()
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's deadlock detection")
def test_a_real_deadlock_costs_one_of_two_editors_a_second_attempt():
    a, b = StoryFactory(), StoryFactory()
    both_hold_one = threading.Barrier(2)
    attempts, results = Counter(), {}

    @retry_once_on_conflict
    def lock_both(name, first, second):
        with transaction.atomic():
            attempts[name] += 1
            list(Story.objects.select_for_update().filter(pk=first.pk))
            if attempts[name] == 1:
                both_hold_one.wait(5)
            list(Story.objects.select_for_update().filter(pk=second.pk))
        return name

    def editor(name, first, second):
        try:
            results[name] = lock_both(name, first, second)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[name] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=editor, args=("one", a, b)),
        threading.Thread(target=editor, args=("two", b, a)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == {"one": "one", "two": "two"}
    assert sorted(attempts.values()) == [1, 2]
