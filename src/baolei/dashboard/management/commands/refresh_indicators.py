"""`baolei refresh-indicators`: answer the dirty marks, once or in a loop.

`baolei serve` runs it with `--loop` beside the web server and the task worker, so a
figure is current about a second after the write that moved it. A locked or lost
database is waited out, never the end of the loop."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from baolei.dashboard.services import facts

logger = logging.getLogger("baolei.refresher")

LONGEST_PAUSE = 30.0


class Command(BaseCommand):
    help = "Recount the regions that writes have marked, and roll them up."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep going until stopped.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks.")

    def handle(self, *args, loop: bool, interval: float, **options) -> None:
        if not loop:
            answered = facts.refresh()
            self.stdout.write(f"answered {answered} mark(s)")
            return
        failures = 0
        while True:
            try:
                facts.refresh()
                failures = 0
                pause = interval
            except DatabaseError as error:
                failures += 1
                pause = min(LONGEST_PAUSE, interval * 2**failures)
                logger.warning("refresh failed (%s); again in %.1f s", error, pause)
                close_old_connections()
            time.sleep(pause)
