"""The composition of the villages' two committees (村两委), per region.

The holders counted are the people holding a post on the day of the count (started on
or before it, not ended before it); a person holding two posts in a village (secretary
and deputy chair, say) is counted once. Indicators:

- age structure: holders aged ≤35, 36–50, 51–60 and over 60 on the day (from the birth
  date of the registry's person);
- education: the share of holders with college education or above;
- women: the share of holders who are women;
- party members: the share of holders who are party members;
- 一肩挑: the share of the region's villages whose branch secretary is also the
  committee chair (a secretary-and-chair post, or one person holding both posts);
- recommended sources: the share of the villages' secretaries who come from the sources
  the department recommends (rural entrepreneurs, veterans, returned migrant workers,
  local party members), in all and per source (a secretary has one recorded source, so
  the per-source counts add up to the recommended count).

One query reads the current posts of the region (a row per post, a few thousand for a
county); the rest is counted in memory, per region one level below.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When

from baolei.accounts.scope import Scope, scoped
from baolei.idnumbers import age_on
from baolei.organisation.choices import (
    RECOMMENDED_SOURCES,
    SECRETARY_POSTS,
    CommitteePostKind,
    HolderSource,
)
from baolei.organisation.models import CommitteePost, PartyMember
from baolei.organisation.services.coverage import Rate, _children
from baolei.regions import codes
from baolei.regions.models import Region
from baolei.registry import choices as registry_choices

AGE_BANDS = ((0, 35), (36, 50), (51, 60), (61, 200))


def current_posts(day: datetime.date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


@dataclass(frozen=True)
class SourceShare:
    source: HolderSource
    rate: Rate

    @property
    def label(self) -> str:
        return str(self.source.label)


@dataclass
class Composition:
    code: str
    name: str
    villages: int = 0
    villages_recorded: int = 0
    holders: int = 0
    ages: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    college: int = 0
    women: int = 0
    party_members: int = 0
    one_shoulder: int = 0
    secretaries: int = 0
    recommended: int = 0
    by_source: dict[str, int] = field(default_factory=dict)  # recommended source → secretaries

    @property
    def age_rates(self) -> list[Rate]:
        return [Rate(count, self.holders) for count in self.ages]

    @property
    def college_rate(self) -> Rate:
        return Rate(self.college, self.holders)

    @property
    def women_rate(self) -> Rate:
        return Rate(self.women, self.holders)

    @property
    def member_rate(self) -> Rate:
        return Rate(self.party_members, self.holders)

    @property
    def one_shoulder_rate(self) -> Rate:
        return Rate(self.one_shoulder, self.villages)

    @property
    def recommended_rate(self) -> Rate:
        return Rate(self.recommended, self.secretaries)

    @property
    def source_rates(self) -> list[SourceShare]:
        """Each recommended source, in the order of the policy, with its share of the
        secretaries (sources nobody came from included, at zero)."""
        return [
            SourceShare(source, Rate(self.by_source.get(source, 0), self.secretaries))
            for source in RECOMMENDED_SOURCES
        ]


@dataclass
class CompositionTable:
    region: Region | None
    total: Composition
    rows: list[Composition] = field(default_factory=list)


def _band(age: int) -> int:
    for index, (low, high) in enumerate(AGE_BANDS):
        if low <= age <= high:
            return index
    return len(AGE_BANDS) - 1


@dataclass
class _Village:
    holders: dict[int, tuple] = field(default_factory=dict)  # person → (birth, sex, edu, member)
    secretaries: set[int] = field(default_factory=set)
    chairs: set[int] = field(default_factory=set)
    both: bool = False
    recommended_secretaries: int = 0
    secretary_posts: int = 0
    secretary_sources: dict[str, int] = field(default_factory=dict)  # recommended only


def _add(target: Composition, village: _Village, day: datetime.date) -> None:
    target.villages_recorded += 1
    for birth, sex, education, member in village.holders.values():
        target.holders += 1
        target.ages[_band(age_on(birth, day))] += 1
        target.college += education == registry_choices.Education.COLLEGE
        target.women += sex == registry_choices.Sex.FEMALE
        target.party_members += bool(member)
    target.one_shoulder += village.both or bool(village.secretaries & village.chairs)
    target.secretaries += village.secretary_posts
    target.recommended += village.recommended_secretaries
    for source, count in village.secretary_sources.items():
        target.by_source[source] = target.by_source.get(source, 0) + count


def composition(scope: Scope, region_code: str | None, day: datetime.date) -> CompositionTable:
    """The two committees' indicators of a region of the scope and of each region one
    level below it, on `day`."""
    posts = scoped(CommitteePost.objects.all(), scope).filter(current_posts(day))
    villages = scoped(Region.objects.villages(), scope)
    if region_code:
        posts = posts.filter(codes.within("region_code", region_code))
        villages = villages.filter(codes.within("code", region_code))
    is_member = Exists(PartyMember.objects.filter(person=OuterRef("person_id")))
    rows = posts.annotate(member=is_member).values_list(
        "region_code",
        "kind",
        "source",
        "education",
        "person_id",
        "person__birth_date",
        "person__sex",
        "member",
    )
    by_village: dict[str, _Village] = defaultdict(_Village)
    for code, kind, source, education, person, birth, sex, member in rows:
        village = by_village[code]
        known = village.holders.get(person)
        # A person's best recorded education counts once, whichever post recorded it.
        if known is None or (education == registry_choices.Education.COLLEGE):
            village.holders[person] = (birth, sex, education, member)
        if kind == CommitteePostKind.SECRETARY_AND_CHAIR:
            village.both = True
        if kind in (CommitteePostKind.SECRETARY, CommitteePostKind.SECRETARY_AND_CHAIR):
            village.secretaries.add(person)
        if kind in (CommitteePostKind.CHAIR, CommitteePostKind.SECRETARY_AND_CHAIR):
            village.chairs.add(person)
        if kind in SECRETARY_POSTS:
            village.secretary_posts += 1
            if source in RECOMMENDED_SOURCES:
                village.recommended_secretaries += 1
                sources = village.secretary_sources
                sources[source] = sources.get(source, 0) + 1

    region = Region.objects.filter(code=region_code).first() if region_code else None
    total = Composition(region_code or "", region.name if region else "")
    children = {c.code: Composition(c.code, c.name) for c in _children(region_code, scope)}
    length = codes.child_length(region_code) or 12
    for code in villages.values_list("code", flat=True):
        total.villages += 1
        child = children.get(code[:length])
        if child is not None:
            child.villages += 1
    for code, village in by_village.items():
        _add(total, village, day)
        child = children.get(code[:length])
        if child is not None:
            _add(child, village, day)
    return CompositionTable(region=region, total=total, rows=list(children.values()))


def village_posts(village_code: str, day: datetime.date):
    """A village's posts, current first, then the past terms."""
    return (
        CommitteePost.objects.filter(region_code=village_code)
        .select_related("person", "election")
        .annotate(is_current=current_posts_case(day))
        .order_by("-is_current", "kind", "-started_on")
    )


def current_posts_case(day: datetime.date):
    return Case(
        When(current_posts(day), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
