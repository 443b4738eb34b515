"""`baolei sweep-imports`: mark failed the import jobs left running by a dead worker.

Run by `baolei serve` before it starts the worker, and fit for cron; see
`baolei.imports.stale`.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from baolei.imports.stale import sweep_stale_jobs


class Command(BaseCommand):
    help = "Mark failed the import jobs whose worker stopped in the middle of them."

    def handle(self, *args, **options):
        swept = sweep_stale_jobs()
        self.stdout.write(
            _("%(count)d stale import jobs marked failed.") % {"count": len(swept)}
            + (f" ({', '.join(map(str, swept))})" if swept else "")
        )
