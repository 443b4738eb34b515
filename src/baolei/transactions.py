"""When a request holds a transaction, and writes that are not worth waiting for.

SQLite lets one connection write at a time and begins every transaction IMMEDIATE (it
takes the write lock at BEGIN, so that a transaction never fails half-way on upgrading a
read lock). A request wrapped whole in a transaction, as `ATOMIC_REQUESTS` does, would
then take the write lock for a mere read, and a page would wait for — and after the busy
timeout fail on — any long write elsewhere. So only the requests that may change
something (POST, PUT, PATCH, DELETE) run their view in one transaction; reads run
without one and, in WAL mode, never wait for a writer. PostgreSQL does not need it, but
the rule is the same on both.

A few writes made while reading are courtesies (a session's expiry moved on, a token's
last use): `unless_busy` skips them rather than make the reader wait for the lock.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, transaction
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
COURTESY_WAIT_MS = 50  # how long a courtesy write may wait for SQLite's write lock


class WriteRequestTransactionMiddleware:
    """`ATOMIC_REQUESTS` for the requests that may write: their view runs in one
    transaction, rolled back if it raises; reads run without a transaction.

    Last in `MIDDLEWARE`, so that every other `process_view` (CSRF) has run. A view
    marked with Django's `non_atomic_requests` is left alone, as `ATOMIC_REQUESTS`
    would leave it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS:
            return None
        if DEFAULT_DB_ALIAS in getattr(view_func, "_non_atomic_requests", set()):
            return None
        with transaction.atomic():
            return view_func(request, *view_args, **view_kwargs)


def unless_busy(write: Callable[[], Any], what: str) -> Any:
    """Make a write that may be skipped: on SQLite, if another connection holds the write
    lock, it is skipped (and logged) after a few milliseconds instead of after the busy
    timeout. Inside a transaction, or on PostgreSQL, it is simply made. Returns what
    `write` returned, None if it was skipped."""
    connection = transaction.get_connection()
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return write()
    connection.ensure_connection()
    raw = connection.connection
    (previous,) = raw.execute("PRAGMA busy_timeout").fetchone()
    raw.execute(f"PRAGMA busy_timeout = {COURTESY_WAIT_MS}")
    try:
        return write()
    except OperationalError as error:
        if "locked" not in str(error).lower():
            raise
        logger.info("skipped %s: the database is busy with a write", what)
        return None
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(previous)}")
