"""`baolei check-indicators`: compare the stored figures with a recount from scratch."""

import time

from django.core.management.base import BaseCommand, CommandError

from baolei.dashboard.services import facts

SHOWN = 50  # differences printed; the count says how many there were


class Command(BaseCommand):
    help = (
        "Compare every stored fact and roll-up with a recount from scratch; exit with status 1 "
        "on any difference. Marks still waiting are answered first, unless --as-stored."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--as-stored",
            action="store_true",
            help="Compare what is stored now, without answering the waiting marks first.",
        )

    def handle(self, *args, as_stored: bool, **options) -> None:
        started = time.monotonic()
        if not as_stored:
            facts.refresh()
        differences = facts.check()
        for difference in differences[:SHOWN]:
            self.stderr.write(str(difference))
        if differences:
            raise CommandError(
                f"{len(differences)} stored figure(s) differ from the recount", returncode=1
            )
        self.stdout.write(
            f"every stored figure equals the recount ({len(facts.registered().measures)} "
            f"measures, {time.monotonic() - started:.1f} s)"
        )
