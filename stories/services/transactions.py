"""Running a write service again when the database gave up on its transaction.

Two transactions that lock the same rows can still, rarely, meet in an order the database
cannot serialise: PostgreSQL then aborts one of them with a deadlock (SQLSTATE 40P01) or a
serialization failure (40001). Nothing of it was written, so the whole transaction may simply
run again. The services lock in a fixed order so this should not happen; if it does, the editor
gets the result of a second attempt instead of an error page.
"""

import functools
import logging

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

logger = logging.getLogger(__name__)

# psycopg's DeadlockDetected and SerializationFailure, by their SQLSTATE.
RETRYABLE_SQLSTATES = {"40P01", "40001"}


def is_conflict(error):
    """Whether `error` (Django's OperationalError) is a deadlock or a serialization failure."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_once_on_conflict(service=None, *, using=DEFAULT_DB_ALIAS):
    """Decorate a service whose work is one `transaction.atomic()` block: when it is the outermost
    block and the database aborts it as a deadlock or serialization failure, run it once more.
    Inside a caller's transaction it runs once, as written: only the caller can start again."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            if connections[using].in_atomic_block:
                return function(*args, **kwargs)
            try:
                return function(*args, **kwargs)
            except OperationalError as error:
                if not is_conflict(error):
                    raise
                logger.warning("%s: %s; running it again", function.__qualname__, error.__cause__)
            return function(*args, **kwargs)

        return wrapper

    return decorate(service) if service is not None else decorate
