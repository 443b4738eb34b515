"""The party organisation's measures and indicators for the command centre (see
baolei.indicators).

Each measure counts, set-based (one grouped query, never one per village), per region
code of the record it counts: a branch, an entity, a grading, a designation, a task at
its own `region_code` (a township's joint branch stays at the township, a county-wide
association at the county: the roll-ups include them); a linked household at its village;
a committee holder at the village of the post. `codes` limits a count to some codes (the
refresher's dirty ones), None counts everywhere (the full rebuild and the check).

The definitions are the organisation pages' own, so that the dashboard and the page it
links to agree:

- organisation and work coverage are `services.coverage`'s (`organisation_covered`,
  `work_covered`: the coverage page's figures);
- branches are `services.grading.village_branches` (the branches that are graded and
  designated); grades are the gradings of the year, as `grading.grade_counts` counts them;
- weak branches are those with a designation not closed (销号), any year, as
  `grading.weak_village_codes` has it; overdue tasks are `rectification.overdue`'s;
- "no organisation life last quarter" is the life overview's flag for the last finished
  quarter (`life.previous_quarter`): an active branch of `life.LIFE_KINDS` that held
  nothing in it;
- a household is linked as in `coverage.linked` (an open link);
- the two committees' holders are `composition.composition`'s: people holding a post on
  the day (`current_posts`), a person counted once per village; college if any of their
  current posts records college; 一肩挑 as the composition page counts it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.indicators import CURRENT, Indicator, Row, catalogue
from baolei.messages import lazy_format
from baolei.organisation.choices import CommitteePostKind
from baolei.organisation.models import (
    BranchGrading,
    CommitteePost,
    Grade,
    HostEntity,
    HouseholdLink,
    LifeRecord,
    PartyOrganisation,
    RectificationTask,
    TaskStatus,
    WeakBranchDesignation,
)
from baolei.organisation.services import coverage, grading, life, rectification
from baolei.organisation.services.composition import AGE_BANDS, current_posts
from baolei.regions import indicators as _villages  # noqa: F401
from baolei.registry import choices as registry_choices
from baolei.registry import indicators as _households  # noqa: F401
from baolei.registry.models import Household, Person

# `_villages` and `_households` are imported for their measures "villages" and "households",
# our denominators: registered before ours whatever order the apps are discovered in.
NATIONAL = Scope(role=Role.SYSTEM_ADMIN, region_code=None)  # every row: no viewer's scope
YOUNG = AGE_BANDS[0][1]  # "≤ 35": the composition page's first age band

# --- sources: the tables whose rows move a measure ----------------------------------------

HOST = "(SELECT region_code FROM organisation_hostentity WHERE id = {row}.hostentity_id)"
BRANCH = "(SELECT region_code FROM organisation_partyorganisation WHERE id = {row}.organisation_id)"
HOUSEHOLD = "(SELECT village_code FROM registry_household WHERE id = {row}.household_id)"
# A person's sex and birth date move the composition of the committees they sit on, and
# posts live at the post's village, not at the person's own `region_code` (a secretary
# sent from the township, a chair living elsewhere): a person row marks the villages of
# their posts.
PERSON_POSTS = "SELECT region_code FROM organisation_committeepost WHERE person_id = {row}.id"
# A branch's status, kind, host, parent and place move the branch counts, life flags and
# the coverage of the entities it is built in or covers, which may sit in other villages
# (a township's joint branch): a branch row marks its own code and all of theirs.
BRANCH_AND_ENTITIES = (
    "SELECT {row}.region_code "
    "UNION SELECT region_code FROM organisation_hostentity WHERE id = {row}.host_entity_id "
    "UNION SELECT e.region_code FROM organisation_hostentity e "
    "JOIN organisation_partyorganisation_covered_entities c ON c.hostentity_id = e.id "
    "WHERE c.partyorganisation_id = {row}.id"
)
catalogue.source(PartyOrganisation._meta.db_table, BRANCH_AND_ENTITIES, many=True)
catalogue.source(HostEntity._meta.db_table, "{row}.region_code")
catalogue.source(PartyOrganisation.covered_entities.through._meta.db_table, HOST)
catalogue.source(BranchGrading._meta.db_table, "{row}.region_code")
catalogue.source(WeakBranchDesignation._meta.db_table, "{row}.region_code")
catalogue.source(RectificationTask._meta.db_table, "{row}.region_code")
# A meeting counts for its branch, wherever the branch is now (the row's own code is a
# copy made when it was recorded).
catalogue.source(LifeRecord._meta.db_table, BRANCH)
catalogue.source(HouseholdLink._meta.db_table, HOUSEHOLD)
catalogue.source(CommitteePost._meta.db_table, "{row}.region_code")
catalogue.source(Person._meta.db_table, PERSON_POSTS, many=True)


# --- counting helpers -----------------------------------------------------------------------


def _in(queryset: QuerySet, field: str, codes: Sequence[str] | None) -> QuerySet:
    return queryset if codes is None else queryset.filter(**{f"{field}__in": codes})


def _per_code(
    queryset: QuerySet, field: str = "region_code", count: str = "pk", distinct: bool = False
) -> Iterable[Row]:
    """Rows of `queryset` (or distinct `count`) per code: one grouped query. The
    services' querysets are ordered; the order is cleared so it does not join the GROUP BY."""
    rows = (
        queryset.order_by()
        .values(field)
        .annotate(n=Count(count, distinct=distinct))
        .values_list(field, "n")
    )
    for code, value in rows:
        yield code, CURRENT, value


# --- branches, coverage -------------------------------------------------------------------


def _village_branches(codes: Sequence[str] | None) -> QuerySet[PartyOrganisation]:
    return _in(grading.village_branches(NATIONAL), "region_code", codes)


def branches(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    return _per_code(_village_branches(codes))


def villages_with_branch(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    found = _village_branches(codes).order_by().values_list("region_code", flat=True).distinct()
    for code in found:
        yield code, CURRENT, 1


def _entities(codes: Sequence[str] | None, condition: Q | None = None) -> QuerySet[HostEntity]:
    queryset = _in(HostEntity.objects.all(), "region_code", codes)
    return queryset if condition is None else queryset.filter(condition)


def entities(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    return _per_code(_entities(codes))


def entities_with_organisation(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    return _per_code(_entities(codes, coverage.organisation_covered()))


def entities_covered(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Work coverage (工作覆盖): moves with the date, as a party activity leaves the
    twelve-month window."""
    return _per_code(_entities(codes, coverage.work_covered(today)))


# --- grading, weak branches, rectification, organisation life --------------------------------


def _graded(grade: str):
    def count(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
        gradings = _in(BranchGrading.objects.filter(grade=grade), "region_code", codes)
        rows = (
            gradings.order_by()
            .values("region_code", "year")
            .annotate(n=Count("pk"))
            .values_list("region_code", "year", "n")
        )
        yield from rows

    return count


def weak_branches(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Branches with a designation still being rectified, whatever its year; a branch
    designated in two years and closed in neither counts once."""
    designations = WeakBranchDesignation.objects.exclude(status=WeakBranchDesignation.Status.CLOSED)
    return _per_code(_in(designations, "region_code", codes), count="organisation", distinct=True)


def _tasks(codes: Sequence[str] | None) -> QuerySet[RectificationTask]:
    return _in(RectificationTask.objects.all(), "region_code", codes)


def rectification_tasks_open(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    return _per_code(_tasks(codes).exclude(status=TaskStatus.CLOSED))


def rectification_overdue(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    return _per_code(rectification.overdue(_tasks(codes), today))


def branches_without_life(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Branches that held no meeting at all in the last finished quarter (the life
    overview's default quarter and its flag)."""
    first, last = life.quarter_bounds(*life.previous_quarter(today))
    branches_ = _in(life.life_branches(NATIONAL), "region_code", codes)
    return _per_code(life.branches_without_life(branches_, first, last))


# --- households linked with a party member (党员联户) ---------------------------------------------


def linked_households(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    households = _in(Household.objects.filter(coverage.linked()), "village_id", codes)
    return _per_code(households, "village_id")


# --- the two committees (村两委) ----------------------------------------------------------------


def _posts(codes: Sequence[str] | None, today: datetime.date) -> QuerySet[CommitteePost]:
    return _in(CommitteePost.objects.filter(current_posts(today)), "region_code", codes)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def _holders(condition: Q | None = None):
    """Current holders per village, a person once (`distinct`), among those meeting
    `condition` on some current post."""

    def count(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
        posts = _posts(codes, today)
        if condition is not None:
            posts = posts.filter(condition)
        return _per_code(posts, count="person", distinct=True)

    return count


def committee_young(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Holders aged 35 or under on `today`: born after the day they would turn 36."""
    born_after = _years_before(today, YOUNG + 1)
    return _holders(Q(person__birth_date__gt=born_after))(codes, today)


def one_shoulder(codes: Sequence[str] | None, today: datetime.date) -> Iterable[Row]:
    """Villages whose secretary is also the chair: a secretary-and-chair post, or one
    person holding both posts (two grouped queries)."""
    posts = _posts(codes, today)
    found = set(
        posts.filter(kind=CommitteePostKind.SECRETARY_AND_CHAIR)
        .order_by()
        .values_list("region_code", flat=True)
        .distinct()
    )
    both = (
        posts.filter(kind__in=(CommitteePostKind.SECRETARY, CommitteePostKind.CHAIR))
        .order_by()
        .values("region_code", "person")
        .annotate(kinds=Count("kind", distinct=True))
        .filter(kinds=2)
        .values_list("region_code", flat=True)
    )
    found.update(both)
    for code in found:
        yield code, CURRENT, 1


catalogue.measure("branches", branches)
catalogue.measure("villages_with_branch", villages_with_branch)
catalogue.measure("entities", entities)
catalogue.measure("entities_with_organisation", entities_with_organisation)
catalogue.measure("entities_covered", entities_covered, daily=True)
for _grade in Grade.values:
    catalogue.measure(f"graded_{_grade}", _graded(_grade), yearly=True)
catalogue.measure("weak_branches", weak_branches)
catalogue.measure("rectification_tasks_open", rectification_tasks_open)
catalogue.measure("rectification_overdue", rectification_overdue, daily=True)
catalogue.measure("branches_without_life", branches_without_life, daily=True)
catalogue.measure("linked_households", linked_households)
# The committee measures count posts held on the day: a term ending yesterday drops out.
catalogue.measure("committee_posts", _holders(), daily=True)
catalogue.measure("committee_young", committee_young, daily=True)
catalogue.measure(
    "committee_women", _holders(Q(person__sex=registry_choices.Sex.FEMALE)), daily=True
)
catalogue.measure(
    "committee_college",
    _holders(Q(education=registry_choices.Education.COLLEGE)),
    daily=True,
)
catalogue.measure("one_shoulder", one_shoulder, daily=True)


# --- the lists behind the figures -----------------------------------------------------------


def _url(name: str, code: str, **filters: object) -> str:
    """The list page `name` filtered to the region `code` ("" the nation: unfiltered)."""
    query = "&".join(f"{k}={v}" for k, v in {"region": code, **filters}.items() if v != "")
    return (
        f"{reverse(f'organisation:{name}')}?{query}" if query else reverse(f"organisation:{name}")
    )


def _committees_url(code: str, year: int) -> str:
    """A village's own committee page (its holders with age, sex and education); above a
    village the composition page of the region."""
    if len(code) == 12:
        return reverse("organisation:village_committees", args=[code])
    return _url("composition", code)


# --- indicators -----------------------------------------------------------------------------

CAPABILITY = "organisation"
HIGHER_GRADES = {Grade.ADVANCED, Grade.GOOD, Grade.FIVE_STARS, Grade.FOUR_STARS}
LOWER_GRADES = {Grade.LAGGING, Grade.TWO_STARS, Grade.ONE_STAR}

catalogue.indicator(
    Indicator(
        key="organisation_coverage",
        capability=CAPABILITY,
        name=_("Organisation coverage"),
        unit="%",
        definition=_(
            "Share of the new economic and social organisations (cooperatives, associations, "
            "industry-chain projects, enterprises, social organisations) with an active "
            "party organisation of their own or covered by an active joint branch."
        ),
        numerator="entities_with_organisation",
        denominator="entities",
        scale=100,
        better="higher",
        records=lambda code, year: _url("host_list", code, covered="yes"),
    )
)
catalogue.indicator(
    Indicator(
        key="work_coverage",
        capability=CAPABILITY,
        name=_("Work coverage"),
        unit="%",
        definition=_(
            "Share of the new economic and social organisations where the party works: "
            "covered by an organisation, or with a party-building instructor, or with a "
            "party activity in the last twelve months."
        ),
        numerator="entities_covered",
        denominator="entities",
        scale=100,
        better="higher",
        # Nearest list: no list filters by work coverage; the coverage page shows the
        # same figures and the entities still without an organisation.
        records=lambda code, year: _url("coverage", code),
    )
)
for _grade, _label in Grade.choices:
    catalogue.indicator(
        Indicator(
            key=f"grade_{_grade}",
            capability=CAPABILITY,
            name=_label,
            unit=_("branches"),
            definition=lazy_format(
                _("Village branches graded “%(grade)s” in the year's grading."), grade=_label
            ),
            numerator=f"graded_{_grade}",
            better="higher"
            if _grade in HIGHER_GRADES
            else "lower"
            if _grade in LOWER_GRADES
            else "",
            yearly=True,
            records=lambda code, year, grade=_grade: _url(
                "grading_overview", code, year=year, grade=grade
            ),
            group="grade",
        )
    )
catalogue.indicator(
    Indicator(
        key="weak_branches",
        capability=CAPABILITY,
        name=_("Weak and lax branches"),
        unit=_("branches"),
        definition=_(
            "Village branches designated weak and lax (软弱涣散) and still being rectified, "
            "whatever the year of the designation."
        ),
        numerator="weak_branches",
        better="lower",
        # The list is per year (this year by default): a designation of an earlier year
        # still open is counted here and listed under its own year.
        records=lambda code, year: _url("weak_list", code, status="rectifying"),
    )
)
catalogue.indicator(
    Indicator(
        key="rectification_overdue",
        capability=CAPABILITY,
        name=_("Overdue rectification tasks"),
        unit=_("tasks"),
        definition=_("Rectification tasks of weak branches not closed by their deadline."),
        numerator="rectification_overdue",
        better="lower",
        records=lambda code, year: _url("overdue_tasks", code),
    )
)
catalogue.indicator(
    Indicator(
        key="branches_without_life",
        capability=CAPABILITY,
        name=_("Branches without organisation life last quarter"),
        unit=_("branches"),
        definition=_(
            "Active branches that recorded no meeting or party lecture (三会一课) at all in "
            "the last finished quarter."
        ),
        numerator="branches_without_life",
        better="lower",
        # The life overview shows the last finished quarter by default.
        records=lambda code, year: _url("life_overview", code, flagged=1),
    )
)
catalogue.indicator(
    Indicator(
        key="linked_share",
        capability=CAPABILITY,
        name=_("Households linked with a party member"),
        unit="%",
        definition=_(
            "Share of the households in the register that a party member keeps in touch "
            "with now (党员联户)."
        ),
        numerator="linked_households",
        denominator="households",
        scale=100,
        better="higher",
        # Nearest list: no list filters households by link; the coverage page shows the
        # linked shares of registered and monitored households.
        records=lambda code, year: _url("coverage", code),
    )
)
catalogue.indicator(
    Indicator(
        key="committee_young_share",
        capability=CAPABILITY,
        name=_("Two-committee members aged 35 or under"),
        unit="%",
        definition=_(
            "Share of the people holding a post of the villages' two committees today who "
            "are 35 or younger."
        ),
        numerator="committee_young",
        denominator="committee_posts",
        scale=100,
        better="higher",
        records=_committees_url,
    )
)
catalogue.indicator(
    Indicator(
        key="committee_women_share",
        capability=CAPABILITY,
        name=_("Women on the two committees"),
        unit="%",
        definition=_(
            "Share of the people holding a post of the villages' two committees today who "
            "are women."
        ),
        numerator="committee_women",
        denominator="committee_posts",
        scale=100,
        better="higher",
        records=_committees_url,
    )
)
catalogue.indicator(
    Indicator(
        key="committee_college_share",
        capability=CAPABILITY,
        name=_("Two-committee members with college education"),
        unit="%",
        definition=_(
            "Share of the people holding a post of the villages' two committees today whose "
            "post records college education or above."
        ),
        numerator="committee_college",
        denominator="committee_posts",
        scale=100,
        better="higher",
        records=_committees_url,
    )
)
catalogue.indicator(
    Indicator(
        key="one_shoulder_share",
        capability=CAPABILITY,
        name=_("Villages with one secretary-and-chair"),
        unit="%",
        definition=_(
            "Share of the villages whose party secretary is also the villagers' committee "
            "chair (一肩挑)."
        ),
        numerator="one_shoulder",
        denominator="villages",
        scale=100,
        better="higher",
        records=_committees_url,
    )
)
