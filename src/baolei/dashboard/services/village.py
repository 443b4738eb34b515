"""What a village has, for its page: the register, monitoring, visits due, the branch, its
organisation life this quarter and the work team — each figure counted in the viewer's
scope, with the list it comes from.

It reads the registry, organisation and cadres apps, so it lives in the app above them
all; the command centre's indicators will join it here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baolei.accounts.scope import Scope, scoped
from baolei.cadres.models import TeamMember, TeamStatus, WorkTeam
from baolei.cadres.services.teams import current_first_secretary, month_attendance
from baolei.organisation.choices import OrganisationStatus
from baolei.organisation.models import BranchGrading, LifeRecord, PartyMember, PartyOrganisation
from baolei.organisation.services import life
from baolei.registry import choices as registry_choices
from baolei.registry.models import Household, MonitoringCase
from baolei.registry.services.lists import households_not_visited
from baolei.registry.services.monitoring import OVERDUE_DAYS, open_identifications

VISIT_DAYS = 90  # a household not visited for this long is due a visit
OPEN_CASES = (registry_choices.CaseStatus.IDENTIFYING, registry_choices.CaseStatus.MONITORED)


@dataclass
class Figure:
    label: str
    value: int | str | None
    url: str | None = None
    testid: str = ""


@dataclass
class VillageSummary:
    households: list[Figure] = field(default_factory=list)
    by_status: list[Figure] = field(default_factory=list)
    monitoring: list[Figure] = field(default_factory=list)
    branch: PartyOrganisation | None = None
    branch_figures: list[Figure] = field(default_factory=list)
    team: WorkTeam | None = None
    first_secretary: TeamMember | None = None
    team_figures: list[Figure] = field(default_factory=list)


def _households_url(code: str, **filters: str | int) -> str:
    query = "&".join(f"{name}={value}" for name, value in {"region": code, **filters}.items())
    return f"{reverse('registry:household_list')}?{query}"


def village_summary(scope: Scope, code: str, today: datetime.date | None = None) -> VillageSummary:
    """The figures of the village `code` that `scope` may see (none outside it)."""
    today = today or timezone.localdate()
    summary = VillageSummary()
    households = scoped(Household.objects.all(), scope).filter(village_id=code)
    registered = households.filter(registered_poor=True)
    monitored = households.exclude(monitoring_type="")
    due = households_not_visited(households, VISIT_DAYS, today)
    summary.households = [
        Figure(_("Households"), households.count(), _households_url(code), "households"),
        Figure(
            _("Registered poor"),
            registered.count(),
            _households_url(code, registered="yes"),
            "registered",
        ),
        Figure(
            _("Monitored"), monitored.count(), _households_url(code, monitored="yes"), "monitored"
        ),
        Figure(
            _("Not visited for %(days)s days") % {"days": VISIT_DAYS},
            due.count(),
            _households_url(code, not_visited=VISIT_DAYS),
            "visits-due",
        ),
    ]
    counts = dict(
        households.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    summary.by_status = [
        Figure(label, counts[value], _households_url(code, status=value), f"status-{value}")
        for value, label in registry_choices.PovertyStatus.choices
        if counts.get(value)
    ]
    cases = scoped(MonitoringCase.objects.all(), scope).filter(
        household__village_id=code, status__in=OPEN_CASES
    )
    overdue = open_identifications(scope, today).filter(household__village_id=code)
    summary.monitoring = [
        Figure(
            _("Open monitoring cases"),
            cases.count(),
            _households_url(code, monitored="yes"),
            "cases-open",
        ),
        Figure(
            _("Identifications open over %(days)s days") % {"days": OVERDUE_DAYS},
            overdue.count(),
            reverse("registry:monitoring_overdue"),
            "cases-overdue",
        ),
    ]

    branches = scoped(PartyOrganisation.objects.all(), scope).filter(
        region_code=code, status=OrganisationStatus.ACTIVE, kind__in=life.LIFE_KINDS
    )
    # The village's own branch: the one built in the village, not in a cooperative.
    branch = (
        branches.filter(host_entity__isnull=True)
        .order_by("kind", "pk")
        .select_related("secretary")
        .first()
    )
    summary.branch = branch
    if branch is not None:
        grading = (
            scoped(BranchGrading.objects.all(), scope)
            .filter(organisation=branch)
            .order_by("-year")
            .first()
        )
        members = scoped(PartyMember.objects.all(), scope).filter(branch=branch)
        year, quarter = life.quarter_of(today)
        first, last = life.quarter_bounds(year, quarter)
        meetings = scoped(LifeRecord.objects.all(), scope).filter(
            organisation=branch, held_on__gte=first, held_on__lte=last
        )
        branch_url = reverse("organisation:branch_record", kwargs={"pk": branch.pk})
        summary.branch_figures = [
            Figure(
                _("Grade %(year)s") % {"year": grading.year} if grading else _("Grade"),
                grading.get_grade_display() if grading and grading.grade else "—",
                branch_url,
                "grade",
            ),
            Figure(
                _("Party members"),
                members.count(),
                branch.get_absolute_url(),
                "members",
            ),
            Figure(
                _("Meetings, %(year)s Q%(quarter)s") % {"year": year, "quarter": quarter},
                meetings.count(),
                f"{branch_url}?section=life#life",
                "meetings",
            ),
        ]

    team = (
        scoped(WorkTeam.objects.all(), scope)
        .filter(village_id=code, status=TeamStatus.ACTIVE)
        .first()
    )
    summary.team = team
    if team is not None:
        team_url = reverse("cadres:team_detail", kwargs={"pk": team.pk})
        summary.first_secretary = current_first_secretary(team)
        lines = month_attendance(team.members.all(), today.year, today.month, as_of=today)
        summary.team_figures = [
            Figure(_("Team members"), len(lines), team_url, "team-members"),
            Figure(
                _("Below the attendance rule this month"),
                sum(line.below for line in lines),
                reverse("cadres:below_rule"),
                "attendance-below",
            ),
        ]
        if summary.first_secretary is not None:
            line = next((x for x in lines if x.member.pk == summary.first_secretary.pk), None)
            if line is not None:
                summary.team_figures.append(
                    Figure(
                        _("First secretary's days in the village this month"),
                        f"{line.days}/{line.required}",
                        team_url,
                        "secretary-days",
                    )
                )
    return summary
