"""Running the ingest command from tests."""

import io

from django.core.management import CommandError, call_command


def ingest(*paths, **options):
    """Run `manage.py ingest` on `paths`: (what it printed, what it reported as errors, the
    CommandError that ended it or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *map(str, paths), stdout=out, stderr=err, **options)
        failed = None
    except CommandError as exc:
        failed = exc
    return out.getvalue(), err.getvalue(), failed
