"""`baolei import households FILE [--as USER]`: the web import's pipeline, in the terminal.

The same job record, the same checks and the same one-transaction load as an upload,
run at once instead of by the worker, with a progress bar on stderr. A rejected file
exits with status 1 and prints where the rejected rows (with their reasons) were written:
as XLSX, and for a CSV upload as CSV too, the files the job's web page offers. Without
`--as`, the operator at the terminal imports for the whole country; with it, as that
user, within their scope and permissions. What it prints is translated, as the pages are.
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
SHOWN_ERRORS = 20  # on the terminal; the rejected-rows files have them all


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
                _("unknown sheet %(kind)s; choose one of: %(sheets)s")
                % {"kind": kind, "sheets": ", ".join(sorted(pipeline.sheets()))}
            ) from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("no such file: %(path)s") % {"path": path})
        user = self._user(username)
        scope = Scope.for_user(user) if user else Scope(role=Role.SYSTEM_ADMIN, region_code=None)
        if not scope.can(sheet.import_permission):
            raise CommandError(
                _("%(user)s may not import %(kind)s") % {"user": username, "kind": kind}
            )
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
            raise CommandError(_("no active user %(user)s") % {"user": username})
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
        for error in job.errors[:SHOWN_ERRORS]:
            self.stderr.write(
                _("row %(row)d, %(column)s: %(reason)s")
                % {"row": error["row"], "column": error["column"] or "—", "reason": error["reason"]}
            )
        if job.error_count > SHOWN_ERRORS:
            self.stderr.write(_("… %(count)d more") % {"count": job.error_count - SHOWN_ERRORS})
        xlsx, csv = self._rejected_files(job, rejected_copy)
        message = _("Rejected: %(count)d problems, nothing was imported.") % {
            "count": job.error_count
        }
        if xlsx:
            message += " " + _("Rejected rows with reasons: %(path)s") % {"path": xlsx}
        if csv:
            message += " " + _("The same as CSV: %(path)s") % {"path": csv}
        raise CommandError(message)

    def _rejected_files(self, job: ImportJob, copy_to: str | None) -> tuple[str, str]:
        """Where the rejected rows are: the XLSX and, for a CSV upload, the CSV (UTF-8
        with a byte-order mark), as the job's web page offers them. With `--rejected`,
        copied there: the file of that path's kind there, the other beside it."""
        xlsx = job.error_file.path if job.error_file else ""
        csv = job.error_csv.path if job.error_csv else ""
        if not copy_to:
            return xlsx, csv
        target = Path(copy_to)
        if target.suffix.lower() == ".csv":
            xlsx_to, csv_to = target.with_suffix(".xlsx"), target
        else:
            xlsx_to, csv_to = target, target.with_suffix(".csv")
        copied = []
        for source, to in ((xlsx, xlsx_to), (csv, csv_to)):
            if source:
                shutil.copyfile(source, to)
            copied.append(str(to.resolve()) if source else "")
        return copied[0], copied[1]
