from django.core.management.base import BaseCommand, CommandError

from baolei.regions import services
from baolei.regions.models import Level


class Command(BaseCommand):
    help = "Load the NBS 2023 division codes (all five levels) idempotently."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            metavar="CODE",
            help="Load only this region, everything below it and its ancestors (e.g. 420222).",
        )

    def handle(self, *args, only=None, **options):
        try:
            result = services.load_regions(only=only)
        except ValueError as error:
            raise CommandError(str(error)) from error
        services.record_load(result, only)
        per_level = ", ".join(
            f"{Level(lvl).name.lower()} {n}" for lvl, n in sorted(result.counts.items())
        )
        self.stdout.write(
            f"{result.total} regions ({per_level}): {result.inserted} inserted, "
            f"{result.updated} updated, {result.unchanged} unchanged in {result.seconds:.1f} s"
        )
