"""`baolei db_worker`: django-tasks' database worker, which a busy database cannot stop.

django-tasks' own worker ignores a locked database only while it looks for the next
task. Anywhere else — recording a task's outcome, the connection check between tasks —
an `OperationalError` ("database is locked" on SQLite while a long write runs, a lost
connection on PostgreSQL) ended the process, and with it the site's background work.
This worker logs such an error, waits (longer each time, up to a limit) and carries on;
a task's outcome is recorded again until the database takes it.
"""

import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, close_old_connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("baolei.worker")

RETRY_FIRST = 0.5  # seconds before the first retry, doubled each time
RETRY_LONGEST = 30.0


def _pause(attempt: int) -> float:
    return min(RETRY_LONGEST, RETRY_FIRST * 2 ** (attempt - 1))


def _until_it_works(record: Callable[[], None], what: str, still_running: Callable[[], bool]):
    """Call `record` until the database takes it (or the worker is told to stop)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            record()
            return
        except DatabaseError as error:
            if not still_running() and attempt > 3:
                raise
            pause = _pause(attempt)
            logger.warning("%s failed (%s); again in %.1f s", what, error, pause)
            close_old_connections()
            time.sleep(pause)


class Worker(db_worker.Worker):
    def run(self) -> None:
        attempt = 0
        while self.running:
            try:
                super().run()
                return  # --batch or --max-tasks: done
            except DatabaseError as error:
                attempt += 1
                pause = _pause(attempt)
                logger.warning("the worker lost the database (%s); again in %.1f s", error, pause)
                close_old_connections()
                time.sleep(pause)
                self.startup_delay = False

    def run_task(self, db_task_result) -> None:
        """As django-tasks runs it, with the outcome recorded again until it is."""
        succeeded, failed = db_task_result.set_successful, db_task_result.set_failed

        def set_successful(value) -> None:
            _until_it_works(
                lambda: succeeded(value),
                f"recording task {db_task_result.pk} as done",
                lambda: self.running,
            )

        def set_failed(error: BaseException) -> None:
            _until_it_works(
                lambda: failed(error),
                f"recording task {db_task_result.pk} as failed",
                lambda: self.running,
            )

        db_task_result.set_successful, db_task_result.set_failed = set_successful, set_failed
        super().run_task(db_task_result)


class Command(db_worker.Command):
    help = "Run the background task worker (django-tasks' database backend), resilient."

    def handle(self, *args, **options) -> None:
        original = db_worker.Worker
        db_worker.Worker = Worker  # the parent's `handle` builds the worker by this name
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
