"""What the demo generators' commands share (`generate_organisation_demo`, …): the same
arguments, the same run and the same report; each command names its generator and what
it says when the county already has its part."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError

from baolei.messages import CodedError


class DemoCommand(BaseCommand):
    # generate(county code, seed, as_of=date or None) → {what: how many made}; all zero
    # when the county already has its part.
    generate: Callable[..., dict[str, int]]
    # Printed, with {region} filled in, when nothing was made.
    left_alone: str
    as_of_help = "the reference date (default: demo.REFERENCE_DATE, whatever the day)"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="420222", metavar="CODE", help="a county code")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help=self.as_of_help,
        )

    def handle(self, *args, region, seed, as_of=None, **options):
        started = time.perf_counter()
        try:
            # Looked up on the class: a plain function stored there is not a method.
            counts = type(self).generate(region, seed, as_of=as_of)
        except CodedError as error:
            raise CommandError(str(error.message)) from error
        if not any(counts.values()):
            # Not an error: `setup-demo` runs every generator every time.
            self.stdout.write(self.left_alone.format(region=region))
            return
        made = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in counts.items())
        self.stdout.write(
            f"Region {region}, seed {seed}: {made} ({time.perf_counter() - started:.1f} s)"
        )
