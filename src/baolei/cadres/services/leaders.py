"""The village leader pool (村级带头人队伍): candidates for village branch secretary from
the recommended sources and the village reserve (村级后备力量), and their development.

A candidate is a person of the register in one village's pool; their development is a
dated list of steps (identified, trained, tested in a post, appointed or elected, left the
pool). The latest step is where they stand.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from baolei import versioning
from baolei.cadres.choices import DevelopmentStep, LeaderSource
from baolei.cadres.models import LeaderCandidate, LeaderDevelopment
from baolei.cadres.services.cadres import (
    CadreError,
    person_record,
    refuse_future,
    region_in_scope,
    scope_of,
    stale,
    validate_model,
)
from baolei.messages import lazy_format
from baolei.regions.models import Level

LEADER_FIELDS = ("category", "source", "party_member", "education", "occupation", "note")


@transaction.atomic
def do_add_candidate(
    actor,
    *,
    id_number: str,
    name: str,
    region_code: str,
    source: str,
    education: str,
    category: str = "reserve",
    party_member: bool = False,
    occupation: str = "",
    note: str = "",
    identified_on: datetime.date | None = None,
    phone: str = "",
) -> LeaderCandidate:
    """A person put in a village's pool; their first step, "identified", is recorded
    with the date given (if any)."""
    village = region_in_scope(region_code, actor, level=Level.VILLAGE)
    person = person_record(actor, id_number, name, village.code, phone)
    existing = LeaderCandidate.objects.filter(person=person).first()
    scope = scope_of(actor)
    if existing is not None and scope is not None and not scope.contains(existing.region_code):
        # Whose pool it is stays unsaid, as the importer says it.
        raise CadreError(
            "already_candidate",
            _("This person is in a pool outside your scope."),
            field="id_number",
        )
    if existing is not None:
        raise CadreError(
            "already_candidate",
            lazy_format(
                _("%(name)s is already in the leader pool of %(village)s."),
                name=person.name,
                village=existing.region_code,
            ),
            field="id_number",
        )
    candidate = LeaderCandidate(
        person=person,
        region_code=village.code,
        category=category,
        source=source,
        party_member=bool(party_member),
        education=education,
        occupation=(occupation or "").strip(),
        note=(note or "").strip(),
    )
    validate_model(candidate, exclude=("person",))
    candidate.save()
    if identified_on is not None:
        do_add_step(actor, candidate, step=DevelopmentStep.IDENTIFIED, done_on=identified_on)
    return candidate


@transaction.atomic
def do_update_candidate(
    actor, candidate: LeaderCandidate, *, expected_version: int | None = None, **fields
) -> LeaderCandidate:
    """`expected_version`: the version the edit started from (None: no check)."""
    unknown = sorted(set(fields) - {*LEADER_FIELDS, "region_code"})
    if unknown:
        raise CadreError("unknown_field", f"unknown fields: {', '.join(unknown)}", field=unknown[0])
    candidate = LeaderCandidate.objects.select_for_update().get(pk=candidate.pk)
    versioning.claim(candidate, expected_version, stale)
    if "region_code" in fields:
        fields["region_code"] = region_in_scope(
            fields["region_code"], actor, level=Level.VILLAGE
        ).code
    for name, value in fields.items():
        setattr(candidate, name, value.strip() if isinstance(value, str) else value)
    validate_model(candidate, exclude=("person",))
    candidate.save()
    return candidate


@transaction.atomic
def do_add_step(
    actor, candidate: LeaderCandidate, *, step: str, done_on: datetime.date, note: str = ""
) -> LeaderDevelopment:
    """A step of the candidate's development. Steps follow one another in time: one
    dated before the latest is refused (the timeline is a history, not a draft)."""
    refuse_future(done_on, "done_on")
    latest = candidate.steps.order_by("-done_on", "-id").first()
    if latest is not None and done_on is not None and done_on < latest.done_on:
        raise CadreError(
            "before_latest",
            lazy_format(
                _("The latest step (%(step)s) is dated %(date)s; a new one cannot be earlier."),
                step=latest.get_step_display(),
                date=latest.done_on.isoformat(),
            ),
            field="done_on",
        )
    if latest is not None and latest.step == DevelopmentStep.WITHDRAWN:
        raise CadreError("withdrawn", _("The candidate has left the pool."), field="step")
    development = LeaderDevelopment(
        candidate=candidate, step=step, done_on=done_on, note=(note or "").strip()
    )
    validate_model(development, exclude=("candidate",))
    development.save()
    return development


def with_stage(candidates: QuerySet[LeaderCandidate]) -> QuerySet[LeaderCandidate]:
    """`stage` and `stage_on`: the candidate's latest step and its date."""
    latest = LeaderDevelopment.objects.filter(candidate=OuterRef("pk")).order_by("-done_on", "-id")
    return candidates.annotate(
        stage=Subquery(latest.values("step")[:1]), stage_on=Subquery(latest.values("done_on")[:1])
    )


def counts_by_region(candidates: QuerySet[LeaderCandidate], length: int = 12) -> list[dict]:
    """Per region of code length `length` (12: villages, 9: townships, ...): the number
    of candidates from each source and in all, in code order. One grouped query."""
    table: dict[str, dict] = defaultdict(lambda: dict.fromkeys([*LeaderSource.values, "total"], 0))
    rows = (
        candidates.order_by()
        .annotate(region=Substr("region_code", 1, length))
        .values("region", "source")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts = table[row["region"]]
        counts[row["source"]] += row["n"]
        counts["total"] += row["n"]
    return [{"region_code": code, **table[code]} for code in sorted(table)]


def counts_by_source(candidates: QuerySet[LeaderCandidate]) -> list[tuple[str, str, int]]:
    """(source, its label, count) for every source, in the enumeration's order."""
    found = dict(candidates.order_by().values_list("source").annotate(n=Count("id")))
    return [(source, label, found.get(source, 0)) for source, label in LeaderSource.choices]
