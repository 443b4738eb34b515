"""The to-do (待办) of the home page: what needs action in the user's scope today, each
with its count and the list that shows those records.

Every count is made by the rule its own app keeps (open identifications, households not
visited, overdue tasks, the attendance rule, the leave queue, the steps kept for a level),
on querysets scoped to the viewer; an item the role may not act on is left out, and an
item with nothing to do is kept, with 0, so that the user sees it was checked."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baolei.accounts.permissions import Perm
from baolei.accounts.scope import Scope, scoped
from baolei.cadres.models import LeaveRequest, TeamMember
from baolei.cadres.services import teams
from baolei.dashboard.services.village import VISIT_DAYS
from baolei.imports import pipeline
from baolei.imports.models import ImportJob
from baolei.imports.services import visible_jobs
from baolei.organisation.models import RectificationTask
from baolei.organisation.services import rectification
from baolei.regions.models import Level
from baolei.registry.models import Household, Procedure
from baolei.registry.services import procedures
from baolei.registry.services.lists import households_not_visited
from baolei.registry.services.monitoring import OVERDUE_DAYS, open_identifications

TASK_DAYS = 7  # a rectification task due within this many days needs attention now
IMPORT_DAYS = 30  # how far back a rejected import of one's own is still to be redone


@dataclass
class TodoItem:
    key: str
    label: str
    count: int
    url: str
    hint: str = ""


def todo_for(scope: Scope, user, today: datetime.date | None = None) -> list[TodoItem]:
    """The items `scope` may act on, each counted within it."""
    today = today or timezone.localdate()
    items: list[TodoItem] = []
    if scope.empty:
        return items

    if scope.can(Perm.EDIT_REGISTRY):
        items.append(
            TodoItem(
                "identifications",
                _("Identifications for monitoring open over %(days)s days")
                % {"days": OVERDUE_DAYS},
                open_identifications(scope, today).count(),
                reverse("registry:monitoring_overdue"),
            )
        )
    if scope.can(Perm.RECORD_VISITS):
        households = scoped(Household.objects.all(), scope)
        items.append(
            TodoItem(
                "visits",
                _("Households not visited for %(days)s days") % {"days": VISIT_DAYS},
                households_not_visited(households, VISIT_DAYS, today).count(),
                f"{reverse('registry:visits_overdue')}?days={VISIT_DAYS}",
            )
        )
    if scope.can(Perm.RECORD_BRANCH_WORK) or scope.can(Perm.EDIT_ORGANISATION):
        tasks = scoped(RectificationTask.objects.all(), scope)
        # Overdue on the day after the window: open, with a deadline no later than it.
        window_end = today + datetime.timedelta(days=TASK_DAYS + 1)
        items.append(
            TodoItem(
                "tasks",
                _("Rectification tasks due within %(days)s days or overdue") % {"days": TASK_DAYS},
                rectification.overdue(tasks, window_end).count(),
                reverse("organisation:overdue_tasks"),
                hint=_("The list shows the overdue ones."),
            )
        )
    if scope.can(Perm.MANAGE_CADRES) or scope.can(Perm.RECORD_VISITS):
        year, month = teams.last_complete_month(today)
        members = scoped(TeamMember.objects.all(), scope)
        items.append(
            TodoItem(
                "attendance",
                _("Team members below the attendance rule, %(year)s-%(month)02d")
                % {"year": year, "month": month},
                len(teams.below_rule(members, year, month)),
                f"{reverse('cadres:below_rule')}?year={year}&month={month}",
            )
        )
    if teams.decides_leave(scope):
        leaves = scoped(LeaveRequest.objects.all(), scope)
        items.append(
            TodoItem(
                "leave",
                _("Leave requests waiting for my approval"),
                len(teams.approval_queue(leaves, scope)),
                reverse("cadres:leave_list"),
            )
        )
    level = procedures.level_waiting_for(scope)
    if scope.can(Perm.EDIT_REGISTRY) and level is not None:
        waiting = procedures.awaiting_level(scoped(Procedure.objects.all(), scope), level)
        items.append(
            TodoItem(
                "steps",
                _("Township reviews waiting for me")
                if level == Level.TOWNSHIP
                else _("County approvals waiting for me"),
                waiting.count(),
                reverse("registry:monitoring_overdue"),
                hint=_("The list shows identifications open over %(days)s days.")
                % {"days": OVERDUE_DAYS},
            )
        )
    if pipeline.sheets_for(scope) and user is not None and user.is_authenticated:
        since = timezone.now() - datetime.timedelta(days=IMPORT_DAYS)
        rejected = visible_jobs(scope).filter(
            uploaded_by=user, status=ImportJob.Status.REJECTED, created_at__gte=since
        )
        items.append(
            TodoItem(
                "imports",
                _("My imports rejected in the last %(days)s days") % {"days": IMPORT_DAYS},
                rejected.count(),
                reverse("imports:job_list"),
            )
        )
    return items
