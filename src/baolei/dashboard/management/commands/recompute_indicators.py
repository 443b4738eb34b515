"""`baolei recompute-indicators`: count every indicator everywhere from scratch."""

import time

from django.core.management.base import BaseCommand

from baolei.dashboard.services import facts


class Command(BaseCommand):
    help = "Recount every stored figure of the command centre from scratch and roll it up."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        stored = facts.rebuild()
        self.stdout.write(
            f"recounted {len(facts.registered().measures)} measures: {stored} facts stored, "
            f"rolled up to every level, in {time.monotonic() - started:.1f} s"
        )
