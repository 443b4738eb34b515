"""The write paths of cadre records, and their lists.

Every change to cadres, their disciplinary records, entered achievements, assessments and
incentive decisions goes through a `do_*` function here, one transaction each: pages,
API, importers and commands call the same code. Refusals are `CadreError`s carrying the
field at fault, so a form puts the message beside the right input and the API names it.

The actor's scope is checked here too (a region outside it is refused) so that no door
can write outside the scope, whichever checked it first. `actor=None` is a command run
by the operator of the server, who has no scope.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baolei import versioning
from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope
from baolei.cadres.choices import AchievementKind
from baolei.cadres.models import (
    Achievement,
    Assessment,
    Cadre,
    DisciplinaryRecord,
    IncentiveDecision,
)
from baolei.messages import CodedError, lazy_format
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry import services as registry
from baolei.registry.models import Helper, Household

CADRE_FIELDS = (
    "region_code",
    "unit",
    "rank",
    "post",
    "political_status",
    "education",
    "specialities",
    "work_started_on",
)
DISCIPLINE_FIELDS = ("kind", "decided_on", "ends_on", "authority", "description")
# Exits, eliminated risks and visits are computed from the register: only what the
# register does not hold is entered by hand, so nothing is counted twice.
ENTERED_KINDS = (AchievementKind.PROJECT, AchievementKind.OTHER)
EARLIEST_YEAR = 1990


class CadreError(CodedError):
    """A refusal: `code` for programs, `message` for people, `field` for the input."""

    def __init__(self, code: str, message, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


# --- helpers -----------------------------------------------------------------------------


def scope_of(actor) -> Scope | None:
    return Scope.for_user(actor) if actor is not None else None


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def region_in_scope(code: str, actor, field: str = "region_code", level: int | None = None):
    """The region of `code`, which must exist (at `level`, if given) and lie in scope."""
    code = (code or "").strip()
    region = Region.objects.filter(code=code).first()
    if region is None or (level is not None and region.level != level):
        message = (
            _("There is no village with the code %(code)s.")
            if level == Level.VILLAGE
            else _("There is no region with the code %(code)s.")
        )
        raise CadreError("unknown_region", lazy_format(message, code=code), field=field)
    scope = scope_of(actor)
    if scope is not None and not scope.contains(region.code):
        raise CadreError("out_of_scope", _("This region is outside your scope."), field=field)
    return region


def validate_model(instance, exclude: tuple[str, ...] = ()) -> None:
    """Model validation as a `CadreError` naming the first field at fault."""
    registry.clean_model(instance, exclude, CadreError)


def refuse_future(value: datetime.date | None, field: str) -> None:
    registry.check_not_future(value, field, CadreError)


def person_record(actor, id_number: str, name: str, region_code: str, phone: str = ""):
    """The registry's one record of the person (refused when registered outside the
    actor's scope), its refusals as ours."""
    try:
        return registry.person_for(actor, id_number, name, region_code, phone=phone)
    except registry.RegistryError as error:
        raise CadreError(error.code, error.message, field=error.field) from None


# --- cadres ------------------------------------------------------------------------------


@transaction.atomic
def do_create_cadre(
    actor,
    *,
    id_number: str,
    name: str,
    region_code: str,
    unit: str,
    rank: str,
    political_status: str,
    education: str,
    post: str = "",
    specialities: str = "",
    work_started_on: datetime.date | None = None,
    phone: str = "",
) -> Cadre:
    """A cadre's file, on the one record of their person. If the person is already one
    of the register's responsible helpers, the file is linked to that record, so that
    the achievements the register holds are computed for them."""
    region = region_in_scope(region_code, actor)
    person = person_record(actor, id_number, name, region.code, phone)
    if Cadre.objects.filter(person=person).exists():
        raise CadreError(
            "already_cadre",
            lazy_format(
                _("%(name)s (%(id)s) already has a cadre record."),
                name=person.name,
                id=person.masked_id_number,
            ),
            field="id_number",
        )
    cadre = Cadre(
        person=person,
        region_code=region.code,
        unit=(unit or "").strip(),
        rank=rank,
        post=(post or "").strip(),
        political_status=political_status,
        education=education,
        specialities=(specialities or "").strip(),
        work_started_on=work_started_on,
        helper=Helper.objects.filter(person=person, cadre__isnull=True).first(),
    )
    refuse_future(work_started_on, "work_started_on")
    validate_model(cadre, exclude=("person", "helper"))
    cadre.save()
    return cadre


def stale(message) -> CadreError:
    """The refusal of an edit started from a version someone else has since saved over."""
    return CadreError("stale", message)


@transaction.atomic
def do_update_cadre(
    actor, cadre: Cadre, *, expected_version: int | None = None, **fields: Any
) -> Cadre:
    """Change the fields given (see CADRE_FIELDS); the person is not changed here.
    `expected_version`: the version the edit started from (None: no check)."""
    unknown = sorted(set(fields) - set(CADRE_FIELDS))
    if unknown:
        raise CadreError("unknown_field", f"unknown fields: {', '.join(unknown)}", field=unknown[0])
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    versioning.claim(cadre, expected_version, stale)
    if "region_code" in fields:
        fields["region_code"] = region_in_scope(fields["region_code"], actor).code
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(cadre, name, value)
    if cadre.helper_id is None:
        # The person may have become a responsible helper since the file was made.
        cadre.helper = Helper.objects.filter(person_id=cadre.person_id, cadre__isnull=True).first()
    refuse_future(cadre.work_started_on, "work_started_on")
    validate_model(cadre, exclude=("person", "helper"))
    cadre.save()
    return cadre


@transaction.atomic
def do_link_helper(actor, cadre: Cadre) -> Cadre:
    """Link the cadre to the register's helper record of the same person, if any."""
    helper = Helper.objects.filter(person_id=cadre.person_id).first()
    if helper is not None and cadre.helper_id != helper.pk:
        cadre.helper = helper
        cadre.save(update_fields=["helper", "updated_at"])
    return cadre


# --- disciplinary records -----------------------------------------------------------------


@transaction.atomic
def do_add_disciplinary_record(
    actor,
    cadre: Cadre,
    *,
    kind: str,
    decided_on: datetime.date,
    ends_on: datetime.date | None = None,
    authority: str = "",
    description: str = "",
) -> DisciplinaryRecord:
    scope = scope_of(actor)
    if scope is not None and not scope.can(Perm.VIEW_DISCIPLINE):
        raise CadreError("not_allowed", _("You may not record disciplinary measures."))
    refuse_future(decided_on, "decided_on")
    if ends_on is not None and decided_on is not None and ends_on < decided_on:
        raise CadreError(
            "ends_before", _("The end of the measure cannot be before its decision."), "ends_on"
        )
    record = DisciplinaryRecord(
        cadre=cadre,
        kind=kind,
        decided_on=decided_on,
        ends_on=ends_on,
        authority=(authority or "").strip(),
        description=(description or "").strip(),
    )
    validate_model(record, exclude=("cadre",))
    record.save()
    return record


def in_effect(on: datetime.date | None = None) -> Q:
    """Disciplinary records still in effect on `on` (today by default)."""
    on = on or timezone.localdate()
    return Q(decided_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def with_discipline_flag(cadres: QuerySet[Cadre], on: datetime.date | None = None) -> QuerySet:
    """`has_discipline` on each cadre: a measure in effect. Only for VIEW_DISCIPLINE."""
    current = DisciplinaryRecord.objects.filter(in_effect(on), cadre=OuterRef("pk"))
    return cadres.annotate(has_discipline=Exists(current))


# --- entered achievements, assessments, decisions ----------------------------------------


@transaction.atomic
def do_add_achievement(
    actor,
    cadre: Cadre,
    *,
    kind: str,
    region_code: str,
    achieved_on: datetime.date,
    title: str,
    evidence: str,
    quantity: int = 1,
    household: Household | None = None,
    evidence_file=None,
) -> Achievement:
    """An achievement the register does not hold (a project, something else), with the
    evidence that it happened. Exits, risks eliminated and visits are computed instead."""
    if kind not in ENTERED_KINDS:
        raise CadreError(
            "computed_kind",
            _(
                "Exits, eliminated risks and visits are counted from the register; enter "
                "projects and other achievements only."
            ),
            field="kind",
        )
    village = region_in_scope(region_code, actor, level=Level.VILLAGE)
    if household is not None and household.village_id != village.code:
        raise CadreError(
            "household_elsewhere",
            lazy_format(_("Household %(number)s is not in this village."), number=household.number),
            field="household",
        )
    if not (evidence or "").strip() and not evidence_file:
        raise CadreError("evidence", _("Say what shows the achievement."), field="evidence")
    refuse_future(achieved_on, "achieved_on")
    achievement = Achievement(
        cadre=cadre,
        kind=kind,
        region_code=village.code,
        household=household,
        achieved_on=achieved_on,
        title=(title or "").strip(),
        quantity=quantity,
        evidence=(evidence or "").strip(),
        recorded_by=_user(actor),
    )
    if evidence_file:
        achievement.evidence_file = evidence_file
    validate_model(achievement, exclude=("cadre", "household", "recorded_by", "evidence_file"))
    achievement.save()
    return achievement


@transaction.atomic
def do_save_assessment(
    actor, cadre: Cadre, year: int, *, score: Decimal, grade: str, note: str = ""
) -> Assessment:
    """The cadre's assessment of `year`, made or replaced (one per year)."""
    if not EARLIEST_YEAR <= int(year) <= timezone.localdate().year:
        raise CadreError(
            "year",
            lazy_format(
                _("The year must be from %(first)d to %(last)d."),
                first=EARLIEST_YEAR,
                last=timezone.localdate().year,
            ),
            field="year",
        )
    assessment = Assessment.objects.select_for_update().filter(
        cadre=cadre, year=year
    ).first() or Assessment(cadre=cadre, year=year)
    assessment.score = score
    assessment.grade = grade
    assessment.note = (note or "").strip()
    validate_model(assessment, exclude=("cadre",))
    assessment.save()
    return assessment


@transaction.atomic
def do_record_decision(
    actor,
    cadre: Cadre,
    *,
    kind: str,
    decided_on: datetime.date,
    decided_by: str,
    basis: dict[str, Any],
    note: str = "",
) -> IncentiveDecision:
    """A commendation, promotion or greater responsibility, with the ranking entry it
    was based on (score, terms, weights and period) frozen as it stood."""
    refuse_future(decided_on, "decided_on")
    decision = IncentiveDecision(
        cadre=cadre,
        kind=kind,
        decided_on=decided_on,
        decided_by=(decided_by or "").strip(),
        basis=basis,
        note=(note or "").strip(),
        recorded_by=_user(actor),
    )
    validate_model(decision, exclude=("cadre", "recorded_by"))
    decision.save()
    return decision


# --- lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CadreFilters:
    region: str | None = None
    unit: str | None = None
    rank: str | None = None
    political_status: str | None = None
    search: str | None = None


def filter_cadres(cadres: QuerySet[Cadre], filters: CadreFilters) -> QuerySet[Cadre]:
    """The cadres (already scoped) that match: region and below, unit (contains), rank,
    political status, and a name (prefix) or a full ID number."""
    if filters.region:
        cadres = cadres.filter(codes.within("region_code", filters.region))
    if filters.unit:
        cadres = cadres.filter(unit__contains=filters.unit)
    if filters.rank:
        cadres = cadres.filter(rank=filters.rank)
    if filters.political_status:
        cadres = cadres.filter(political_status=filters.political_status)
    if filters.search:
        text = filters.search.strip()
        if len(text) == 18 and text[:17].isdigit():
            cadres = cadres.filter(person__id_number=text.upper())
        else:
            cadres = cadres.filter(Q(person__name__startswith=text) | Q(unit__contains=text))
    return cadres
