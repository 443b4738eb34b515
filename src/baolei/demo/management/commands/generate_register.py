import datetime
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from baolei.demo.registry import drafts as synthetic_drafts
from baolei.demo.registry import register as synthetic
from baolei.demo.registry.households import YEARS
from baolei.demo.registry.population import generate_village_populations
from baolei.messages import CodedError


class Command(BaseCommand):
    help = (
        "Generate a synthetic register (households, members, incomes, monitoring, helpers, "
        "pairings, visits) over the real villages of a region, reproducibly from a seed. "
        "A region that already has households is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, metavar="CODE", help="e.g. 420222")
        parser.add_argument("--households", type=int, default=30_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="the reference date for visits and recent events (default: demo.REFERENCE_DATE); "
            "the same region, households, seed and date give the same register",
        )
        parser.add_argument(
            "--digest", action="store_true", help="print the SHA-256 of the generated rows"
        )

    def handle(self, *args, region, households, seed, as_of=None, digest=False, **options):
        started = time.perf_counter()
        progress = self._progress if sys.stdout.isatty() and options["verbosity"] > 0 else None
        try:
            counts = synthetic.generate_register(
                region, households, seed, as_of=as_of, progress=progress
            )
        except synthetic.RegisterExists as refusal:
            # Not an error: `setup_demo` runs this every time and the register is there.
            self.stdout.write(str(refusal.message))
            return
        except CodedError as error:
            raise CommandError(str(error.message)) from error
        # The villages' rural populations, the denominator of their poverty incidence, as of
        # the register's first income year; later years carry them forward.
        villages = generate_village_populations(region, YEARS[0], seed)
        if progress:
            self.stdout.write("")
        self.stdout.write(
            f"Region {region}, seed {seed}: {counts.households} households, "
            f"{counts.people} people ({counts.members} members, {counts.helpers} helpers), "
            f"{counts.years} household years, {counts.status_changes} status changes, "
            f"{counts.monitored} monitored households, {counts.cases} monitoring cases, "
            f"{counts.measures} measures, {counts.risk_events} risk events, "
            f"{counts.pairings} pairings, {counts.visits} visits, "
            f"{villages} village populations of {YEARS[0]} "
            f"in {time.perf_counter() - started:.1f} s"
        )
        if digest:
            self.stdout.write(f"SHA-256 {synthetic.register_digest(region)}")

    def _progress(self, counts: synthetic_drafts.Counts) -> None:
        self.stdout.write(f"\r{counts.households} households", ending="")
        self.stdout.flush()
