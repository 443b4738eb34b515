"""`baolei import households FILE [--as USER]`: the web import's pipeline, in the terminal.

The same job record, the same checks and the same one-transaction load as an upload,
run at once instead of by the worker, with a progress bar on stderr. A rejected file
exits with status 1 and prints where the rejected rows (with their reasons) were written.
Without `--as`, the operator at the terminal imports for the whole country; with it, as
that user, within their scope and permissions.
"""

import shutil
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from baolei.accounts.models import User
from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.imports import jobs, pipeline
from baolei.imports.models import ImportJob

BAR_WIDTH = 30


class ProgressBar:
    """One line on stderr, redrawn in place: the phase, a bar and the rows done."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.phase = ""
        self.shown = -1

    def __call__(self, status: str, done: int, total: int) -> None:
        if not total:  # still reading the file: its length is not known yet
            self.stream.write(f"\r{_('Reading')} {done:,}")
            self.stream.flush()
            return
        percent = 100 * done // total
        if status != self.phase:
            if self.phase:
                self.stream.write("\n")
            self.phase, self.shown = status, -1
        if percent == self.shown:
            return
        self.shown = percent
        filled = BAR_WIDTH * percent // 100
        label = ImportJob.Status(status).label
        self.stream.write(
            f"\r{label:<12} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
            f"{percent:3d}% {done:,}/{total:,}"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.phase:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import a sheet (e.g. households) from an .xlsx or .csv file, all or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", help="the sheet: " + ", ".join(sorted(pipeline.sheets())))
        parser.add_argument("file", help="the .xlsx, .xls, .ods or .csv file")
        parser.add_argument(
            "--as",
            dest="username",
            help="import as this user, within their scope (default: the whole country)",
        )
        parser.add_argument(
            "--rejected",
            help="also copy the rejected rows (with reasons) to this path",
        )

    def handle(self, *args, kind: str, file: str, username: str | None, **options) -> None:
        try:
            sheet = pipeline.get_sheet(kind)
        except KeyError:
            raise CommandError(
                f"unknown sheet {kind!r}; choose one of: {', '.join(sorted(pipeline.sheets()))}"
            ) from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        user = self._user(username)
        scope = Scope.for_user(user) if user else Scope(role=Role.SYSTEM_ADMIN, region_code=None)
        if not scope.can(sheet.import_permission):
            raise CommandError(f"{username} may not import {kind}")
        with path.open("rb") as handle:
            job = jobs.do_create_job(
                kind=kind,
                upload=File(handle, name=path.name),
                filename=path.name,
                user=user,
                scope=scope,
                channel="command",
            )
        bar = ProgressBar(self.stderr._out)  # the raw stream: the bar redraws with \r
        try:
            jobs.run_job(job, echo=bar)
        finally:
            bar.close()
        self._report(job, options.get("rejected"))

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user

    def _report(self, job: ImportJob, rejected_copy: str | None) -> None:
        counts = job.counts
        if job.status == ImportJob.Status.DONE:
            self.stdout.write(
                _(
                    "Imported %(rows)d rows: %(created)d new, %(updated)d changed, "
                    "%(unchanged)d unchanged (job %(job)d)."
                )
                % {
                    "rows": counts.get("rows", 0),
                    "created": counts.get("created", 0),
                    "updated": counts.get("updated", 0),
                    "unchanged": counts.get("unchanged", 0),
                    "job": job.pk,
                }
            )
            return
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.message)
        for error in job.errors[:20]:
            self.stderr.write(f"row {error['row']}, {error['column'] or '—'}: {error['reason']}")
        if job.error_count > 20:
            self.stderr.write(f"… {job.error_count - 20} more")
        where = ""
        if job.error_file:
            where = job.error_file.path
            if rejected_copy:
                shutil.copyfile(where, rejected_copy)
                where = str(Path(rejected_copy).resolve())
        message = _("Rejected: %(count)d problems, nothing was imported.") % {
            "count": job.error_count
        }
        if where:
            message += " " + _("Rejected rows with reasons: %(path)s") % {"path": where}
        raise CommandError(message)
