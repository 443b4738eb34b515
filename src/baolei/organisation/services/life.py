"""Organisation life (三会一课): branch general meetings, committee meetings, party group
meetings and party lectures, with their attendance; the quarters a branch held none.

A branch is flagged for a quarter overall when it held nothing at all, and per kind when
it held none of that kind (the rules ask a general meeting and a lecture each quarter,
committee and group meetings each month, so a quarter without one is always a miss).
A quarter that is not over yet flags nobody: it is still running.

Every active branch holds organisation life, wherever it is built — in a village, a
cooperative or an enterprise, a joint or a temporary branch, a general branch — so all of
them are recorded and flagged; a party committee (党委) works through its branches.
Grading, by contrast, is for village branches only (`grading.village_branches`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import scoped
from baolei.messages import CodedError
from baolei.organisation.choices import OrganisationKind, OrganisationStatus
from baolei.organisation.models import LifeKind, LifeRecord, PartyOrganisation
from baolei.organisation.services.grading import actor_name
from baolei.regions import codes

# The kinds of organisation that hold 三会一课 themselves.
LIFE_KINDS = (
    OrganisationKind.GENERAL_BRANCH,
    OrganisationKind.BRANCH,
    OrganisationKind.JOINT_BRANCH,
    OrganisationKind.TEMPORARY_BRANCH,
)


class LifeError(CodedError):
    def __init__(self, code: str, message, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


# A meeting's photo: a picture of the meeting, not a document store. The type is read
# from the first bytes, never from the name or the browser's word for it.
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def photo_suffix(head: bytes) -> str | None:
    """The suffix of a JPEG, PNG or WebP file from its first twelve bytes, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    return None


def check_photo(photo) -> str:
    """The suffix the stored photo gets; a LifeError if it is too large or not a photo."""
    if photo.size > PHOTO_MAX_BYTES:
        raise LifeError("photo_size", _("The photo is larger than 5 MB."), "photo")
    photo.seek(0)
    suffix = photo_suffix(photo.read(12))
    photo.seek(0)
    if suffix is None:
        raise LifeError("photo_type", _("The photo must be a JPEG, PNG or WebP image."), "photo")
    return suffix


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, 3 * quarter - 2, 1)
    following = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, following - datetime.timedelta(days=1)


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(day: datetime.date) -> tuple[int, int]:
    year, quarter = quarter_of(day)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def life_branches(user_or_scope) -> QuerySet[PartyOrganisation]:
    """The active branches in scope that hold organisation life, whatever their host."""
    queryset = PartyOrganisation.objects.filter(
        kind__in=LIFE_KINDS, status=OrganisationStatus.ACTIVE
    ).order_by("region_code", "name")
    return scoped(queryset, user_or_scope)


def require_life_branch(organisation: PartyOrganisation) -> None:
    if organisation.kind not in LIFE_KINDS:
        raise LifeError(
            "not_branch",
            _("Organisation life is recorded by a branch, not by a party committee."),
            "organisation",
        )
    if organisation.status != OrganisationStatus.ACTIVE:
        raise LifeError(
            "inactive",
            _("The branch is merged or dissolved: it holds no meetings."),
            "organisation",
        )


@transaction.atomic
def do_record_life(
    user,
    organisation: PartyOrganisation,
    kind: str,
    held_on: datetime.date,
    topic: str,
    attended: int,
    expected: int,
    note: str = "",
    today: datetime.date | None = None,
    minutes: str = "",
    photo=None,
) -> LifeRecord:
    require_life_branch(organisation)
    if kind not in LifeKind.values:
        raise LifeError("kind", _("Choose the kind of meeting."), "kind")
    if today is not None and held_on > today:
        raise LifeError("future", _("A meeting is recorded once it has been held."), "held_on")
    if not topic.strip():
        raise LifeError("required", _("Enter the topic."), "topic")
    if expected < 1:
        raise LifeError("expected", _("At least one person is expected."), "expected")
    if attended > expected:
        raise LifeError("attendance", _("More people attended than were expected."), "attended")
    record = LifeRecord(
        organisation=organisation,
        region_code=organisation.region_code,
        kind=kind,
        held_on=held_on,
        topic=topic.strip(),
        attended=attended,
        expected=expected,
        note=note,
        minutes=minutes.strip(),
        recorded_by=actor_name(user),
    )
    if photo:
        record.photo_suffix = check_photo(photo)
        record.photo = photo
    record.save()
    return record


def branches_without_life(
    branches: QuerySet[PartyOrganisation],
    first: datetime.date,
    last: datetime.date,
    kind: str | None = None,
) -> QuerySet[PartyOrganisation]:
    held = LifeRecord.objects.filter(
        organisation=OuterRef("pk"), held_on__gte=first, held_on__lte=last
    )
    if kind:
        held = held.filter(kind=kind)
    return branches.filter(~Exists(held))


@dataclass
class BranchQuarter:
    branch: PartyOrganisation
    counts: dict[str, int]  # kind → meetings held
    attended: int
    expected: int
    running: bool = False  # the quarter is not over: nothing is missed yet

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def flagged(self) -> bool:
        return not self.running and self.total == 0

    @property
    def missing_kinds(self) -> list[str]:
        if self.running:
            return []
        return [kind for kind in LifeKind.values if not self.counts.get(kind)]

    @property
    def missing_labels(self) -> list[str]:
        return [str(LifeKind(kind).label) for kind in self.missing_kinds]

    @property
    def attendance_percent(self) -> int | None:
        return round(100 * self.attended / self.expected) if self.expected else None


def is_over(year: int, quarter: int, today: datetime.date) -> bool:
    return quarter_bounds(year, quarter)[1] < today


def quarter_overview(
    user_or_scope,
    year: int,
    quarter: int,
    region_code: str | None = None,
    today: datetime.date | None = None,
) -> list[BranchQuarter]:
    """Every branch in scope (and region) with what it held in the quarter; given `today`,
    a quarter not over by then is running and flags nobody."""
    first, last = quarter_bounds(year, quarter)
    running = today is not None and not is_over(year, quarter, today)
    branches = life_branches(user_or_scope)
    records = scoped(
        LifeRecord.objects.filter(held_on__gte=first, held_on__lte=last), user_or_scope
    )
    if region_code:
        branches = branches.filter(codes.within("region_code", region_code))
        records = records.filter(codes.within("region_code", region_code))
    rows = {branch.pk: BranchQuarter(branch, {}, 0, 0, running) for branch in branches}
    for pk, kind, attended, expected in records.values_list(
        "organisation_id", "kind", "attended", "expected"
    ):
        row = rows.get(pk)
        if row is None:
            continue
        row.counts[kind] = row.counts.get(kind, 0) + 1
        row.attended += attended
        row.expected += expected
    return list(rows.values())


def flag_counts(rows: list[BranchQuarter]) -> dict[str, int]:
    """How many branches held nothing, and how many held none of each kind."""
    counts = {"none": sum(1 for row in rows if row.flagged)}
    for kind in LifeKind.values:
        counts[kind] = sum(1 for row in rows if kind in row.missing_kinds)
    return counts
