"""Weak and lax branches (软弱涣散) and their rectification (整顿).

A branch is designated weak in a year against the criteria its county set for that
year. Each designation has rectification tasks that move open → in progress (a progress
note is recorded) → awaiting verification (the owner says it is done) → closed (销号),
and a task is closed only after a verification that passed; a failed verification sends
it back to in progress. When its last task is closed the designation is closed too.
A task not closed past its deadline is overdue; "today" is always a parameter so that the
rule is tested on fixed dates.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope, scoped
from baolei.messages import CodedError, lazy_format
from baolei.organisation.models import (
    BranchGrading,
    CriterionRule,
    PartyOrganisation,
    RectificationNote,
    RectificationTask,
    TaskStatus,
    Verification,
    WeakBranchDesignation,
    WeakCriterion,
)
from baolei.organisation.services import life
from baolei.organisation.services.grading import (
    actor_name,
    may_configure,
    may_judge,
    require_village_branch,
    set_in_or_above,
    village_branches,
)
from baolei.regions import codes

TOWNSHIP_LENGTH = 9


class RectificationError(CodedError):
    def __init__(self, code: str, message, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


# --- criteria -----------------------------------------------------------------------------


def criteria_for(region_code: str, year: int) -> QuerySet[WeakCriterion]:
    """The criteria that apply to a place in a year: those of the nearest region above it
    that set any."""
    candidates = [*codes.ancestors_of(region_code), region_code]
    set_at = set(
        WeakCriterion.objects.filter(year=year, region_code__in=candidates).values_list(
            "region_code", flat=True
        )
    )
    for code in reversed(candidates):
        if code in set_at:
            return WeakCriterion.objects.filter(year=year, region_code=code)
    return WeakCriterion.objects.none()


def criteria_visible(scope: Scope) -> QuerySet[WeakCriterion]:
    return set_in_or_above(WeakCriterion.objects.all(), scope)


def _refuse_unless_configurer(scope: Scope | None, region_code: str) -> None:
    """Criteria are set by a county or a higher region, for a region of its scope (with a
    `scope`; without one, as for commands and the demo, only the level is checked)."""
    allowed = len(region_code) <= 6 if scope is None else may_configure(scope, region_code)
    if not region_code or not allowed:
        raise RectificationError(
            "not_county", _("Criteria are set by a county or a higher region."), "region_code"
        )


def _rule(rule: str) -> str:
    rule = getattr(rule, "value", rule)
    if rule not in CriterionRule.values:
        raise RectificationError("rule", _("Choose how the criterion is checked."), "rule")
    return rule


@transaction.atomic
def do_add_criterion(
    user,
    region_code: str,
    year: int,
    name: str,
    description: str = "",
    rule: str = "manual",
    scope: Scope | None = None,
) -> WeakCriterion:
    _refuse_unless_configurer(scope, region_code)
    if not name.strip():
        raise RectificationError("required", _("Name the criterion."), "name")
    position = WeakCriterion.objects.filter(region_code=region_code, year=year).count() + 1
    return WeakCriterion.objects.create(
        region_code=region_code,
        year=year,
        position=position,
        name=name.strip(),
        description=description or "",
        rule=_rule(rule),
    )


@transaction.atomic
def do_update_criterion(
    user,
    criterion: WeakCriterion,
    *,
    name: str | None = None,
    description: str | None = None,
    rule: str | None = None,
    scope: Scope | None = None,
) -> WeakCriterion:
    """Change the fields given (None: unchanged). A criterion branches have been
    designated by keeps its name and check, as their designations were made against
    them; its description may still be made clearer."""
    criterion = WeakCriterion.objects.select_for_update().get(pk=criterion.pk)
    _refuse_unless_configurer(scope, criterion.region_code)
    changed = []
    if name is not None:
        if not name.strip():
            raise RectificationError("required", _("Name the criterion."), "name")
        if name.strip() != criterion.name:
            criterion.name = name.strip()
            changed.append("name")
    if rule is not None and _rule(rule) != criterion.rule:
        criterion.rule = _rule(rule)
        changed.append("rule")
    if changed and criterion.designations.exists():
        raise RectificationError(
            "in_use",
            _("Branches have been designated by this criterion: its name and check stay."),
            changed[0],
        )
    if description is not None:
        criterion.description = description
    criterion.save()
    return criterion


@transaction.atomic
def do_remove_criterion(user, criterion: WeakCriterion) -> None:
    if criterion.designations.exists():
        raise RectificationError(
            "in_use", _("Branches have been designated by this criterion: it stays.")
        )
    criterion.delete()


def suggestions(
    user_or_scope, year: int, today: datetime.date
) -> list[tuple[PartyOrganisation, list[str]]]:
    """Branches in scope that meet a criterion the records can check (a lagging grade the
    year before, a quarter of the year without organisation life) and are not yet
    designated in `year`."""
    branches = village_branches(user_or_scope)
    designated = set(
        WeakBranchDesignation.objects.filter(year=year).values_list("organisation_id", flat=True)
    )
    lagging = _lagging_the_year_before(user_or_scope, year)
    quiet: dict[int, list[int]] = {}
    for quarter in range(1, 5):
        first, last = life.quarter_bounds(year, quarter)
        if last >= today:  # a quarter still running is not yet missed
            break
        for pk in life.branches_without_life(branches, first, last).values_list("pk", flat=True):
            quiet.setdefault(pk, []).append(quarter)
    found = []
    for branch in branches.filter(pk__in=lagging | set(quiet)):
        if branch.pk in designated:
            continue
        reasons = []
        if branch.pk in lagging:
            reasons.append(str(CriterionRule.LAGGING_GRADE.label))
        if branch.pk in quiet:
            reasons.append(
                str(_("No organisation life in quarter %(quarters)s"))
                % {"quarters": ", ".join(str(q) for q in quiet[branch.pk])}
            )
        found.append((branch, reasons))
    return found


def _lagging_the_year_before(user_or_scope, year: int) -> set[int]:
    """Branches graded lagging in `year - 1`: the grading of a year is done at its end,
    so a designation for a year rests on the grade of the year before (上年度评定为后进)."""
    gradings = BranchGrading.objects.filter(year=year - 1, lagging=True)
    return set(scoped(gradings, user_or_scope).values_list("organisation_id", flat=True))


# --- designations ------------------------------------------------------------------------


def may_designate(scope: Scope) -> bool:
    """The branch does not designate itself weak: the township or the county does."""
    return may_judge(scope)


@transaction.atomic
def do_designate(
    user,
    organisation: PartyOrganisation,
    year: int,
    criteria: Iterable[WeakCriterion],
    reason: str,
    designated_on: datetime.date,
    scope: Scope | None = None,
) -> WeakBranchDesignation:
    """Designate the branch weak and lax in `year` by criteria that apply to it that year;
    with a `scope`, only one above the village may, and only a branch of that scope."""
    if scope is not None and not may_designate(scope):
        raise RectificationError(
            "designator",
            _("A branch is designated weak by the township or the county, not the village."),
        )
    if scope is not None and not scope.contains(organisation.region_code):
        raise RectificationError(
            "out_of_scope",
            lazy_format(
                _("The region %(code)s is outside your scope."), code=organisation.region_code
            ),
            "organisation",
        )
    require_village_branch(organisation)
    criteria = list(criteria)
    if not criteria:
        raise RectificationError(
            "no_criteria", _("Choose at least one criterion the branch meets."), "criteria"
        )
    allowed = set(criteria_for(organisation.region_code, year).values_list("pk", flat=True))
    if any(criterion.pk not in allowed for criterion in criteria):
        raise RectificationError(
            "criteria_year", _("Choose among the criteria of that year."), "criteria"
        )
    if WeakBranchDesignation.objects.filter(organisation=organisation, year=year).exists():
        raise RectificationError(
            "exists", _("The branch is already designated weak this year."), "organisation"
        )
    designation = WeakBranchDesignation.objects.create(
        organisation=organisation,
        region_code=organisation.region_code,
        year=year,
        reason=reason or "",
        designated_on=designated_on,
        designated_by=actor_name(user),
    )
    designation.criteria.set(criteria)
    return designation


@transaction.atomic
def do_add_task(
    user,
    designation: WeakBranchDesignation,
    description: str,
    owner_name: str,
    deadline: datetime.date,
    owner=None,
) -> RectificationTask:
    if designation.status == WeakBranchDesignation.Status.CLOSED:
        raise RectificationError("closed", _("The designation is closed: it takes no new tasks."))
    if not description.strip():
        raise RectificationError("required", _("Describe the task."), "description")
    owner_name = owner_name.strip() or (actor_name(owner) if owner else "")
    if not owner_name:
        raise RectificationError("required", _("Name the task's owner."), "owner_name")
    if deadline < designation.designated_on:
        raise RectificationError(
            "deadline", _("The deadline cannot be before the designation."), "deadline"
        )
    return RectificationTask.objects.create(
        designation=designation,
        region_code=designation.region_code,
        description=description.strip(),
        owner=owner,
        owner_name=owner_name,
        deadline=deadline,
    )


def _locked(task: RectificationTask) -> RectificationTask:
    return RectificationTask.objects.select_for_update().get(pk=task.pk)


def _refuse_if_closed(task: RectificationTask) -> None:
    if task.status == TaskStatus.CLOSED:
        raise RectificationError("closed", _("The task is closed."))


@transaction.atomic
def do_add_note(
    user, task: RectificationTask, noted_on: datetime.date, text: str
) -> RectificationNote:
    """A dated step of progress; the first one starts the task."""
    task = _locked(task)
    _refuse_if_closed(task)
    if not text.strip():
        raise RectificationError("required", _("Say what was done."), "text")
    if noted_on < task.designation.designated_on:
        raise RectificationError(
            "date", _("The date cannot be before the designation."), "noted_on"
        )
    note = RectificationNote.objects.create(
        task=task, noted_on=noted_on, text=text.strip(), author=actor_name(user)
    )
    if task.status == TaskStatus.OPEN:
        task.status = TaskStatus.IN_PROGRESS
        task.save()
    return note


@transaction.atomic
def do_request_verification(user, task: RectificationTask) -> RectificationTask:
    task = _locked(task)
    if task.status != TaskStatus.IN_PROGRESS:
        raise RectificationError(
            "state",
            _("Only a task in progress (with at least one progress note) can be verified."),
        )
    task.status = TaskStatus.AWAITING_VERIFICATION
    task.verification = ""
    task.save()
    return task


def may_verify(scope: Scope) -> bool:
    """The branch does not verify or close its own rectification: the township or county
    does."""
    return may_judge(scope)


def _refuse_unless_verifier(scope: Scope | None, message) -> None:
    if scope is not None and not may_verify(scope):
        raise RectificationError("verifier", message)


@transaction.atomic
def do_verify(
    user,
    task: RectificationTask,
    passed: bool,
    verified_on: datetime.date,
    note: str = "",
    scope: Scope | None = None,
) -> RectificationTask:
    _refuse_unless_verifier(
        scope, _("A task is verified by the township or the county, not the village.")
    )
    task = _locked(task)
    if task.status != TaskStatus.AWAITING_VERIFICATION:
        raise RectificationError("state", _("The task is not awaiting verification."))
    task.verification = Verification.PASSED if passed else Verification.FAILED
    task.verified_by = actor_name(user)
    task.verified_on = verified_on
    task.verification_note = note
    if not passed:
        task.status = TaskStatus.IN_PROGRESS
    task.save()
    return task


@transaction.atomic
def do_close_task(
    user, task: RectificationTask, closed_on: datetime.date, scope: Scope | None = None
) -> RectificationTask:
    """销号: only a task whose verification passed, and (with a `scope`) only by the
    township or the county; the designation closes with its last task."""
    _refuse_unless_verifier(
        scope, _("A task is closed by the township or the county, not the village.")
    )
    task = _locked(task)
    _refuse_if_closed(task)
    if task.status != TaskStatus.AWAITING_VERIFICATION or task.verification != Verification.PASSED:
        raise RectificationError(
            "not_verified", _("A task is closed only after its verification has passed.")
        )
    if closed_on < task.verified_on:
        raise RectificationError(
            "date", _("The task cannot be closed before it was verified."), "closed_on"
        )
    task.status = TaskStatus.CLOSED
    task.closed_on = closed_on
    task.closed_by = actor_name(user)
    task.save()
    designation = WeakBranchDesignation.objects.select_for_update().get(pk=task.designation_id)
    if not designation.tasks.exclude(status=TaskStatus.CLOSED).exists():
        designation.status = WeakBranchDesignation.Status.CLOSED
        designation.closed_on = closed_on
        designation.save()
    return task


# --- overdue ------------------------------------------------------------------------------


def overdue(tasks: QuerySet[RectificationTask], today: datetime.date) -> QuerySet:
    return tasks.exclude(status=TaskStatus.CLOSED).filter(deadline__lt=today)


def overdue_by_township(tasks: QuerySet[RectificationTask], today: datetime.date) -> dict[str, int]:
    """Township code → number of overdue tasks in its villages."""
    counts: dict[str, int] = {}
    for code in overdue(tasks, today).values_list("region_code", flat=True):
        township = code[:TOWNSHIP_LENGTH]
        counts[township] = counts.get(township, 0) + 1
    return dict(sorted(counts.items()))


def tasks_by_status(tasks: QuerySet[RectificationTask]) -> dict[str, int]:
    found = {status: 0 for status in TaskStatus.values}
    for row in tasks.values("status").annotate(n=Count("id")):
        found[row["status"]] = row["n"]
    return found
