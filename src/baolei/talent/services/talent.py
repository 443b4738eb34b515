"""The talent pool: people, their source and skills, and the identify → cultivate → use
pipeline (识才、育才、用才) as dated steps. Studios are in `services.studios`, training in
`services.training`; the helpers shared by all three are here.

Every write is a `do_*` function in one transaction; pages, API, importers and commands
call them alike. Refusals are `TalentError`s (or the register's `RegistryError` for an
ID number or name) with the field at fault.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baolei import idnumbers, versioning
from baolei.accounts.scope import Scope
from baolei.messages import CodedError, lazy_format
from baolei.regions import codes
from baolei.regions.models import Level, Region
from baolei.registry.services import RegistryError, person_for
from baolei.talent.choices import STAGE_ORDER, Skill, Source, Stage
from baolei.talent.models import Talent, TalentStep, join_skills


class TalentError(CodedError):
    """A refusal: `code` for programs, `message` for people, `field` (None: the record as
    a whole) for the form input or import column at fault."""

    def __init__(self, code: str, message, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


# What a view or API handler catches: ours, and the register's for a person's identity.
REFUSALS = (TalentError, RegistryError)


# --- shared helpers ----------------------------------------------------------------------


def scope_of(actor) -> Scope | None:
    """The actor's scope; None for a command or the demo generator (no user)."""
    return Scope.for_user(actor) if actor is not None else None


def actor_name(actor) -> str:
    if actor is None:
        from baolei.audit.context import current_actor

        return current_actor().name
    return getattr(actor, "full_name", "") or actor.get_username()


def village(code: str, actor, field: str = "village_code") -> Region:
    """A village (12-digit code) that exists and lies in the actor's scope."""
    code = str(code or "").strip()
    region = Region.objects.filter(code=code, level=Level.VILLAGE).first()
    if region is None:
        raise TalentError(
            "unknown_village",
            lazy_format(_("There is no village with the code %(code)s."), code=code),
            field=field,
        )
    check_in_scope(actor, region.code, field)
    return region


def host_region(code: str, actor, field: str = "region_code") -> Region:
    """The county or township that hosts a studio or course, in the actor's scope."""
    code = str(code or "").strip()
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise TalentError(
            "unknown_region",
            lazy_format(_("There is no region with the code %(code)s."), code=code),
            field=field,
        )
    if region.level == Level.VILLAGE:
        raise TalentError(
            "village_host",
            _("Choose the county or township that hosts it, not a village."),
            field=field,
        )
    check_in_scope(actor, region.code, field)
    return region


def get_visible(queryset: QuerySet, **lookup: Any):
    """One record of an already scoped queryset (`visible_studios()` and the like, which
    widen the scope to the regions above it), or 404 — missing or outside, alike.

    `get_in_scope()` would narrow such a queryset back to the scope's own region."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def check_in_scope(actor, code: str, field: str) -> None:
    scope = scope_of(actor)
    if scope is not None and not scope.contains(code):
        raise TalentError("out_of_scope", _("This region is outside your scope."), field=field)


def check_date(value: datetime.date | None, field: str, *, not_before=None) -> datetime.date:
    """A date that is given, not in the future and (if asked) not before `not_before`."""
    if value is None:
        raise TalentError("required", _("Enter the date."), field=field)
    if value > timezone.localdate():
        raise TalentError(
            "future_date",
            lazy_format(_("The date %(date)s is in the future."), date=value.isoformat()),
            field=field,
        )
    if not_before is not None and value < not_before:
        raise TalentError(
            "too_early",
            lazy_format(
                _("The date %(date)s is before %(earliest)s."),
                date=value.isoformat(),
                earliest=not_before.isoformat(),
            ),
            field=field,
        )
    return value


def required_text(value: str | None, field: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise TalentError("required", _("This field is required."), field=field)
    if len(text) > max_length:
        raise TalentError(
            "too_long",
            lazy_format(_("At most %(limit)d characters."), limit=max_length),
            field=field,
        )
    return text


def optional_text(value: str | None, field: str, max_length: int) -> str:
    text = (value or "").strip()
    return required_text(text, field, max_length) if text else ""


def choice(value: str | None, enumeration, field: str) -> str:
    if value not in enumeration.values:
        raise TalentError(
            "unknown_value",
            lazy_format(_("Unknown value %(value)s."), value=value or "—"),
            field=field,
        )
    return value


def child_length(region_code: str | None) -> int:
    """The length of the codes one level below `region_code` (2 for the country); a
    village counts as its own row."""
    return codes.child_length(region_code) or codes.MAX_LENGTH


def children_rows(scope: Scope, region_code: str | None) -> list[Region]:
    """The regions one level below `region_code` that lie in the scope; a village is
    its own only row."""
    if region_code is not None and len(region_code) == codes.MAX_LENGTH:
        return list(Region.objects.filter(code=region_code))
    return list(scope.filter(Region.objects.children_of(region_code)).order_by("code"))


# --- the pipeline -----------------------------------------------------------------------


def stage_of(stages: Iterable[str]) -> str:
    """The current stage: the furthest the person has reached. Someone put to use and
    later trained again stays "put to use"."""
    reached = [stage for stage in stages if stage in STAGE_ORDER]
    if not reached:
        return Stage.IDENTIFIED
    return max(reached, key=STAGE_ORDER.__getitem__)


def check_step(
    steps: list[tuple[str, datetime.date]], stage: str, taken_on: datetime.date | None
) -> None:
    """Whether a step may follow the recorded ones: a person is identified once, first,
    and is cultivated or put to use only on or after that day."""
    choice(stage, Stage, "stage")
    check_date(taken_on, "taken_on")
    identified = [day for kind, day in steps if kind == Stage.IDENTIFIED]
    if stage == Stage.IDENTIFIED:
        if identified:
            raise TalentError(
                "already_identified",
                lazy_format(
                    _("Already identified on %(date)s: add a cultivation or use step."),
                    date=identified[0].isoformat(),
                ),
                field="stage",
            )
        later = [day for _kind, day in steps if day < taken_on]
        if later:
            raise TalentError(
                "identified_after_steps",
                _("The identification must come before every other step."),
                field="taken_on",
            )
        return
    if not identified:
        raise TalentError(
            "not_identified",
            _("Identify the person before cultivating or using them."),
            field="stage",
        )
    if taken_on < identified[0]:
        raise TalentError(
            "before_identification",
            lazy_format(
                _("The step cannot come before the identification on %(date)s."),
                date=identified[0].isoformat(),
            ),
            field="taken_on",
        )


def _skills(values: Iterable[str] | None) -> str:
    values = [value for value in (values or []) if value]
    for value in values:
        choice(value, Skill, "skills")
    return join_skills(values)


# --- the talent pool --------------------------------------------------------------------


@transaction.atomic
def do_create_talent(
    actor,
    *,
    id_number: str,
    name: str,
    village_code: str,
    source: str,
    identified_on: datetime.date | None,
    how_identified: str,
    skills: Iterable[str] = (),
    skill_notes: str = "",
    occupation: str = "",
    phone: str = "",
) -> Talent:
    """A person enters the pool identified: the record and its first step together."""
    region = village(village_code, actor)
    choice(source, Source, "source")
    check_date(identified_on, "identified_on")
    how = required_text(how_identified, "how_identified", 200)
    person = person_for(actor, id_number, name, region.code, phone=phone)
    if Talent.objects.filter(person=person).exists():
        raise TalentError(
            "already_talent",
            lazy_format(_("%(name)s is already in the talent pool."), name=person.name),
            field="id_number",
        )
    talent = Talent.objects.create(
        person=person,
        region_code=region.code,
        source=source,
        skills=_skills(skills),
        skill_notes=optional_text(skill_notes, "skill_notes", 200),
        occupation=optional_text(occupation, "occupation", 100),
        stage=Stage.IDENTIFIED,
    )
    TalentStep.objects.create(
        talent=talent,
        stage=Stage.IDENTIFIED,
        taken_on=identified_on,
        what=how,
        recorded_by=actor_name(actor),
    )
    return talent


TALENT_FIELDS = ("village_code", "source", "skills", "skill_notes", "occupation")


@transaction.atomic
def do_update_talent(
    actor, talent: Talent, *, expected_version: int | None = None, **fields: Any
) -> Talent:
    """Change the village, source, skills or occupation; the stage changes only by steps.
    `expected_version`: the version the edit started from (None: no check)."""
    unknown = sorted(set(fields) - set(TALENT_FIELDS))
    if unknown:
        raise TalentError(
            "unknown_field",
            lazy_format(
                _("These fields cannot be set here: %(fields)s."), fields=", ".join(unknown)
            ),
            field=unknown[0],
        )
    talent = Talent.objects.select_for_update().get(pk=talent.pk)
    check_in_scope(actor, talent.region_code, "village_code")
    versioning.claim(talent, expected_version, lambda message: TalentError("stale", message))
    if "village_code" in fields:
        talent.region_code = village(fields["village_code"], actor).code
    if "source" in fields:
        talent.source = choice(fields["source"], Source, "source")
    if "skills" in fields:
        talent.skills = _skills(fields["skills"])
    if "skill_notes" in fields:
        talent.skill_notes = optional_text(fields["skill_notes"], "skill_notes", 200)
    if "occupation" in fields:
        talent.occupation = optional_text(fields["occupation"], "occupation", 100)
    talent.save()
    return talent


@transaction.atomic
def do_add_step(
    actor, talent: Talent, *, stage: str, taken_on: datetime.date | None, what: str
) -> TalentStep:
    """Record a step and move the current stage on if it reaches further."""
    talent = Talent.objects.select_for_update().get(pk=talent.pk)
    check_in_scope(actor, talent.region_code, "stage")
    steps = list(talent.steps.values_list("stage", "taken_on"))
    check_step(steps, stage, taken_on)
    step = TalentStep.objects.create(
        talent=talent,
        stage=stage,
        taken_on=taken_on,
        what=required_text(what, "what", 200),
        recorded_by=actor_name(actor),
    )
    current = stage_of([*(kind for kind, _day in steps), stage])
    if current != talent.stage:
        talent.stage = current
        talent.save(update_fields=["stage", "updated_at"])
    return step


def training_step_what(code: str, title: str) -> str:
    # Stored text: written in the language of whoever records the pass.
    return gettext("Passed the training course %(code)s %(title)s") % {"code": code, "title": title}


def cultivate_by_training(
    passes: Iterable[tuple[int, datetime.date, str]], recorded_by: str, *, bulk: bool = False
) -> int:
    """Passing a training course is a cultivation step (育才) for a person in the talent
    pool: for each (person id, day, what), a step on that day and the stage moved on from
    identified. People outside the pool, or identified only after the day, are skipped.
    `bulk` (imports) writes set-based under the import's one audit event."""
    passes = list(passes)
    found = {
        person: (pk, stage)
        for pk, person, stage in Talent.objects.filter(
            person_id__in={person for person, _day, _what in passes}
        ).values_list("pk", "person_id", "stage")
    }
    identified = dict(
        TalentStep.objects.filter(
            talent_id__in=[pk for pk, _stage in found.values()], stage=Stage.IDENTIFIED
        ).values_list("talent_id", "taken_on")
    )
    steps, promoted = [], set()
    for person, day, what in passes:
        if person not in found:
            continue
        pk, stage = found[person]
        if identified.get(pk) is None or day < identified[pk]:
            continue
        steps.append(
            TalentStep(
                talent_id=pk,
                stage=Stage.CULTIVATED,
                taken_on=day,
                what=what[:200],
                recorded_by=recorded_by,
            )
        )
        if stage == Stage.IDENTIFIED:
            promoted.add(pk)
    if bulk:
        TalentStep.objects.bulk_create(steps)
        Talent.objects.filter(pk__in=promoted).update(
            stage=Stage.CULTIVATED, updated_at=timezone.now()
        )
        return len(steps)
    for step in steps:
        step.save()
    for talent in Talent.objects.filter(pk__in=promoted):
        talent.stage = Stage.CULTIVATED
        talent.save(update_fields=["stage", "updated_at"])
    return len(steps)


# --- lists and counts -------------------------------------------------------------------


@dataclass(frozen=True)
class TalentFilters:
    region: str | None = None
    source: str | None = None
    skill: str | None = None
    stage: str | None = None
    search: str | None = None


def filter_talent(queryset: QuerySet[Talent], filters: TalentFilters) -> QuerySet[Talent]:
    """The talent list's filters; a search is a name prefix or a whole ID number (so a
    partial number cannot be used to probe for people)."""
    if filters.region:
        queryset = queryset.filter(codes.within("region_code", filters.region))
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.skill:
        queryset = queryset.filter(skills__contains=join_skills([filters.skill]))
    if filters.stage:
        queryset = queryset.filter(stage=filters.stage)
    text = (filters.search or "").strip()
    if text:
        number = idnumbers.normalise(text)
        if len(number) == 18 and number[:17].isdigit():
            queryset = queryset.filter(person__id_number=number)
        else:
            queryset = queryset.filter(person__name__startswith=text)
    return queryset


@dataclass
class CountRow:
    region: Region | None
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0


def _grouped(queryset: QuerySet, length: int, by: str) -> dict[tuple[str, str], int]:
    rows = (
        queryset.annotate(prefix=Substr("region_code", 1, length))
        .values("prefix", by)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["prefix"], row[by]): row["n"] for row in rows}


def talent_counts(
    talent: QuerySet[Talent], scope: Scope, region_code: str | None
) -> tuple[list[CountRow], CountRow]:
    """Rows = the regions one level below `region_code` (in scope), columns = the
    sources and the stages, plus the total row. Two grouped queries, whatever the size."""
    rows = children_rows(scope, region_code)
    length = child_length(region_code)
    if region_code:
        talent = talent.filter(codes.within("region_code", region_code))
    by_source = _grouped(talent, length, "source")
    by_stage = _grouped(talent, length, "stage")
    keys = [*Source.values, *Stage.values]
    result = []
    total = CountRow(region=None, counts=dict.fromkeys(keys, 0))
    for region in rows:
        prefix = region.code[:length]
        row = CountRow(region=region)
        for source in Source.values:
            row.counts[source] = by_source.get((prefix, source), 0)
        for stage in Stage.values:
            row.counts[stage] = by_stage.get((prefix, stage), 0)
        row.total = sum(row.counts[source] for source in Source.values)
        for key in keys:
            total.counts[key] += row.counts[key]
        total.total += row.total
        result.append(row)
    return result, total
