"""The suite runs on the database CI asked for: never silently on SQLite twice."""

import os

import pytest
from django.db import connection


def test_the_suite_runs_on_the_database_named_by_database_url():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_request_that_may_write_changes_nothing_when_its_view_fails(method, rf):
    """What ATOMIC_REQUESTS did, now for the methods that may write only."""
    from baolei.regions.models import Region
    from baolei.transactions import WriteRequestTransactionMiddleware

    def view(request):
        Region.objects.filter(code="420222").update(name="改名")
        raise RuntimeError("the view fails after writing")

    middleware = WriteRequestTransactionMiddleware(lambda request: None)
    with pytest.raises(RuntimeError):
        middleware.process_view(getattr(rf, method)("/"), view, (), {})

    assert Region.objects.get(code="420222").name == "阳新县"


def test_a_read_runs_its_view_outside_any_transaction(rf):
    """A GET is left to Django: no transaction, so SQLite's write lock is never taken."""
    from baolei.transactions import WriteRequestTransactionMiddleware

    middleware = WriteRequestTransactionMiddleware(lambda request: None)
    assert middleware.process_view(rf.get("/"), lambda request: 1 / 0, (), {}) is None
