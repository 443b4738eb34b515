"""Identification, exit, monitoring and risk elimination as procedures, step by step.

A household's poverty status and its monitoring are never edited as fields: a procedure is
started, each of its steps is recorded in order with its date and actor, and only when the
last step is recorded does the status change — here and nowhere else — with a
`StatusChange` row naming who decided and which procedure it was. A step recorded as not
approved ends the procedure as rejected and changes nothing.
"""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass
from functools import reduce

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from baolei.accounts.scope import Scope
from baolei.messages import CodedError, lazy_format
from baolei.regions import codes
from baolei.regions.models import Level
from baolei.registry import choices
from baolei.registry.models import (
    Household,
    MonitoringCase,
    Procedure,
    ProcedureStep,
    StatusChange,
)
from baolei.registry.services import rules
from baolei.registry.services.elimination import risk_elimination_check

Kind = Procedure.Kind
Outcome = Procedure.Outcome
Status = choices.PovertyStatus

# 贫困户识别: 农户申请 → 民主评议 → 部门比对 → 公示 → 乡镇审核、县审定
IDENTIFICATION_STEPS = (
    ("application", _("Application by the household")),
    ("village_review", _("Review by the village")),
    ("cross_check", _("Cross-check against other departments' data")),
    ("public_notice", _("Public notice")),
    ("approval", _("Approval by the township and county")),
)
# 贫困户退出: 村两委评议 → 贫困户认可 → 村内公示 → 审定批准
EXIT_STEPS = (
    ("two_committees_review", _("Review by the village two committees")),
    ("household_agreement", _("Agreement of the household")),
    ("public_notice", _("Public notice in the village")),
    ("approval", _("Approval")),
)
# 监测对象识别: 风险预警 → 入户核实 → 农户承诺授权 → 信息比对 → 村级评议 → 村级公示
# → 乡镇审核 → 县级审定
MONITORING_STEPS = (
    ("risk_alert", _("Risk alert")),
    ("home_check", _("Home check")),
    ("consent", _("Consent of the household")),
    ("cross_check", _("Data cross-check")),
    ("village_review", _("Village review")),
    ("village_notice", _("Notice in the village")),
    ("township_review", _("Township review")),
    ("county_approval", _("County approval")),
)
# 风险消除: 信息采集核实 → 村级评议 → 村级公示 → 乡镇审核 → 县级审定
RISK_ELIMINATION_STEPS = (
    ("household_check", _("Household information collected and verified")),
    ("village_review", _("Village review")),
    ("village_notice", _("Notice in the village")),
    ("township_review", _("Township review")),
    ("county_approval", _("County approval")),
)
STEPS: dict[str, tuple[tuple[str, Promise], ...]] = {
    Kind.IDENTIFICATION: IDENTIFICATION_STEPS,
    Kind.EXIT: EXIT_STEPS,
    Kind.MONITORING: MONITORING_STEPS,
    Kind.RISK_ELIMINATION: RISK_ELIMINATION_STEPS,
}

# Who may record a step: the county's approvals only a user whose scope is the county or
# above, the township's review only the township or above; every other step (the
# village's) anyone whose scope holds the household (and whose role may record it: the
# pages check that).
STEP_LEVELS: dict[tuple[str, str], Level] = {
    (Kind.IDENTIFICATION, "approval"): Level.COUNTY,
    (Kind.EXIT, "approval"): Level.COUNTY,
    (Kind.MONITORING, "township_review"): Level.TOWNSHIP,
    (Kind.MONITORING, "county_approval"): Level.COUNTY,
    (Kind.RISK_ELIMINATION, "township_review"): Level.TOWNSHIP,
    (Kind.RISK_ELIMINATION, "county_approval"): Level.COUNTY,
}
LEVEL_REFUSALS = {
    Level.COUNTY: _("Only a user of the county (or above) may record “%(step)s”."),
    Level.TOWNSHIP: _(
        "Only a user of the township or the county (or above) may record “%(step)s”."
    ),
}

# The procedures that belong to a monitoring case, and the case status each starts from.
CASE_STATUS_FOR = {
    Kind.MONITORING: choices.CaseStatus.IDENTIFYING,
    Kind.RISK_ELIMINATION: choices.CaseStatus.MONITORED,
}
NO_CASE = {
    Kind.MONITORING: _("The household has no monitoring case being identified."),
    Kind.RISK_ELIMINATION: _("The household has no monitored case."),
}


class ProcedureError(CodedError):
    """A refusal; `verdict` holds the rule check behind it, when there is one."""

    def __init__(self, code: str, message, verdict: rules.Verdict | None = None) -> None:
        super().__init__(code, message)
        self.verdict = verdict


@dataclass
class StepState:
    """One step of a procedure as a page shows it: done (with its record) or not yet."""

    code: str
    label: Promise
    record: ProcedureStep | None


def step_label(kind: str, step: str) -> str | Promise:
    return dict(STEPS.get(kind, ())).get(step, step)


def next_step(procedure: Procedure) -> tuple[str, Promise] | None:
    """The step to record next, or None when the procedure is complete."""
    if procedure.outcome != Outcome.OPEN:
        return None
    sequence = STEPS[procedure.kind]
    done = procedure.steps.count()
    return sequence[done] if done < len(sequence) else None


def step_states(procedure: Procedure) -> list[StepState]:
    done = {record.step: record for record in procedure.steps.all()}
    return [StepState(code, label, done.get(code)) for code, label in STEPS[procedure.kind]]


def step_refusal(scope: Scope, procedure: Procedure, step: str) -> ProcedureError | None:
    """Why a user of `scope` may not record `step` of the procedure, or None if they may:
    the household must lie in the scope, and the scope be at the step's level or above
    (`STEP_LEVELS`)."""
    label = step_label(procedure.kind, step)
    if not scope.contains(procedure.household.village_id):
        return ProcedureError(
            "out_of_scope",
            lazy_format(
                _("You may not record “%(step)s”: the household is outside your scope."),
                step=label,
            ),
        )
    level = STEP_LEVELS.get((procedure.kind, step))
    if level is None or scope.region_code is None:
        return None
    if codes.level_of(scope.region_code) <= level:
        return None
    return ProcedureError("step_level", lazy_format(LEVEL_REFUSALS[level], step=label))


def may_record_step(scope: Scope, procedure: Procedure, step: str) -> bool:
    return step_refusal(scope, procedure, step) is None


def level_waiting_for(scope: Scope) -> int | None:
    """The level whose steps wait for this scope: the township's reviews for a township,
    the county's approvals for a county and everyone above it (who may take them,
    `step_refusal`); none below a township."""
    if scope.region_code is None:
        return Level.COUNTY
    level = codes.level_of(scope.region_code)
    if level == Level.TOWNSHIP:
        return Level.TOWNSHIP
    return Level.COUNTY if level <= Level.COUNTY else None


def awaiting_level(procedures: QuerySet[Procedure], level: int) -> QuerySet[Procedure]:
    """Open procedures whose next step is one kept for `level` (`STEP_LEVELS`): the
    township's reviews waiting for the township, the approvals waiting for the county."""
    waiting = [
        Q(kind=kind, done_steps=[code for code, _label in STEPS[kind]].index(step))
        for (kind, step), step_level in STEP_LEVELS.items()
        if step_level == level
    ]
    if not waiting:
        return procedures.none()
    return (
        procedures.filter(outcome=Outcome.OPEN)
        .annotate(done_steps=Count("steps"))
        .filter(reduce(operator.or_, waiting))
    )


def _check_actor(procedure: Procedure, step: str, actor) -> None:
    """The actor's scope against the step (`step_refusal`). No actor: the system itself
    (a command, a generator), which answers to no scope."""
    if actor is None:
        return
    refusal = step_refusal(Scope.for_user(actor), procedure, step)
    if refusal is not None:
        raise refusal


def days_open(procedure: Procedure, today: datetime.date | None = None) -> int:
    end = procedure.completed_on or today or timezone.localdate()
    return (end - procedure.started_on).days


def open_longer_than(
    procedures: QuerySet[Procedure], days: int = 15, today: datetime.date | None = None
) -> QuerySet[Procedure]:
    """Open procedures started more than `days` days ago, the oldest first."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=days)
    return procedures.filter(outcome=Outcome.OPEN, started_on__lt=cutoff).order_by(
        "started_on", "id"
    )


# --- starting -------------------------------------------------------------------------


def do_start_procedure(
    household: Household,
    kind: str,
    *,
    on: datetime.date,
    actor,
    case: MonitoringCase | None = None,
) -> Procedure:
    """Open a procedure of `kind` for the household, if its preconditions hold.

    Refused: a date in the future; a second open procedure of the same kind; identifying a
    household that is already poor; exit of a household that is not poor or whose exit
    check of its latest year fails; monitoring or risk elimination without a case in the
    right state; risk elimination whose criteria do not hold.
    """
    kind = Kind(kind)
    with transaction.atomic():
        household = _locked(household)
        check_not_in_future(on)
        if Procedure.objects.filter(household=household, kind=kind, outcome=Outcome.OPEN).exists():
            raise ProcedureError(
                "already_open",
                lazy_format(
                    _("The household already has an open procedure: %(kind)s."),
                    kind=kind.label,
                ),
            )
        case = _check_preconditions(household, kind, on, case)
        return Procedure.objects.create(household=household, kind=kind, case=case, started_on=on)


def _check_preconditions(
    household: Household, kind: Kind, on: datetime.date, case: MonitoringCase | None
) -> MonitoringCase | None:
    poor = household.registered_poor and household.status in rules.POOR_STATUSES
    if kind == Kind.IDENTIFICATION:
        if poor:
            raise ProcedureError(
                "already_poor",
                lazy_format(
                    _("The household is already identified as poor (%(status)s)."),
                    status=household.get_status_display(),
                ),
            )
        return None
    if kind == Kind.EXIT:
        if not poor:
            raise ProcedureError(
                "not_poor",
                _("Only a registered poor household that is not lifted out can exit."),
            )
        _check_exit(household, on)
        return None
    case = _case_for(household, kind, case)
    if kind == Kind.RISK_ELIMINATION:
        _check_risk_elimination(case, on)
    return case


def _case_for(household: Household, kind: Kind, case: MonitoringCase | None) -> MonitoringCase:
    """The monitoring case the procedure belongs to: given, or the household's current one."""
    wanted = CASE_STATUS_FOR[kind]
    if case is None:
        case = (
            MonitoringCase.objects.filter(household=household, status=wanted)
            .order_by("-opened_on", "-id")
            .first()
        )
    if case is None or case.household_id != household.pk:
        raise ProcedureError("no_case", NO_CASE[kind])
    if case.status != wanted:
        raise ProcedureError(
            "case_status",
            lazy_format(
                _(
                    "The monitoring case is “%(status)s”; this procedure needs a case that is "
                    "“%(wanted)s”."
                ),
                status=case.get_status_display(),
                wanted=wanted.label,
            ),
        )
    return case


def _failed_list(verdict: rules.Verdict) -> str:
    return "; ".join(f"{c.label}: {c.detail}" for c in verdict.failed)


def _check_exit(household: Household, on: datetime.date) -> None:
    """The exit check of the latest year with income recorded, up to the year of `on`."""
    year = rules.latest_year(household, up_to=on.year) or on.year
    verdict = rules.household_exit_check(household, year)
    if not verdict.passed:
        raise ProcedureError(
            "exit_check_failed",
            lazy_format(
                _("The household does not meet the exit criteria of %(year)s: %(failed)s."),
                year=year,
                failed=_LazyFailed(verdict),
            ),
            verdict,
        )


def _check_risk_elimination(case: MonitoringCase, on: datetime.date) -> None:
    verdict = risk_elimination_check(case, on)
    if not verdict.passed:
        raise ProcedureError(
            "risk_check_failed",
            lazy_format(
                _("The risk cannot be eliminated yet: %(failed)s."),
                failed=_LazyFailed(verdict),
            ),
            verdict,
        )


class _LazyFailed:
    """The failed criteria, rendered in the language active when the message is shown."""

    def __init__(self, verdict: rules.Verdict) -> None:
        self.verdict = verdict

    def __str__(self) -> str:
        return _failed_list(self.verdict)


# --- steps ----------------------------------------------------------------------------


def do_record_step(
    procedure: Procedure,
    step: str,
    *,
    on: datetime.date,
    actor,
    note: str = "",
    approved: bool = True,
) -> ProcedureStep:
    """Record the next step. Steps come in order, dated from the previous step up to today,
    each by a user at its level (`STEP_LEVELS`: the approvals by the county, the township's
    review by the township, and neither outside the actor's scope).

    Not approved: the procedure ends as rejected. The last step approved: the procedure
    completes, then its effect on the household (and case) is applied.
    """
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if procedure.outcome != Outcome.OPEN:
            raise ProcedureError(
                "closed",
                lazy_format(
                    _("The procedure is already closed (%(outcome)s)."),
                    outcome=procedure.get_outcome_display(),
                ),
            )
        sequence = STEPS[procedure.kind]
        done = list(procedure.steps.order_by("id"))
        expected, expected_label = sequence[len(done)]
        if step != expected:
            raise ProcedureError(
                "out_of_order",
                lazy_format(
                    _("Steps are recorded in order: the next step is “%(label)s”."),
                    label=expected_label,
                ),
            )
        _check_actor(procedure, step, actor)
        check_not_in_future(on)
        previous = done[-1].done_on if done else procedure.started_on
        if on < previous:
            raise ProcedureError(
                "before_previous",
                lazy_format(
                    _("The date cannot be before %(date)s, the date of the previous step."),
                    date=previous.isoformat(),
                )
                if done
                else lazy_format(
                    _("The date cannot be before %(date)s, when the procedure started."),
                    date=previous.isoformat(),
                ),
            )
        last = len(done) + 1 == len(sequence)
        if approved and last:
            # The rules are checked again at the decision: data may have changed meanwhile.
            _recheck(procedure, on)
        recorded = ProcedureStep.objects.create(
            procedure=procedure,
            step=step,
            done_on=on,
            actor_name=_name(actor),
            actor_id=getattr(actor, "pk", None),
            note=note,
        )
        if not approved:
            _close(procedure, Outcome.REJECTED, on)
            _on_rejected(procedure)
        elif last:
            _close(procedure, Outcome.APPROVED, on)
            _on_approved(procedure, on, actor)
        return recorded


def _recheck(procedure: Procedure, on: datetime.date) -> None:
    if procedure.kind == Kind.EXIT:
        _check_exit(procedure.household, on)
    elif procedure.kind == Kind.RISK_ELIMINATION:
        _check_risk_elimination(procedure.case, on)


def _close(procedure: Procedure, outcome: str, on: datetime.date) -> None:
    procedure.outcome = outcome
    procedure.completed_on = on
    procedure.save(update_fields=["outcome", "completed_on"])


def _on_rejected(procedure: Procedure) -> None:
    # A household not included for monitoring: the case ends as "not included".
    if procedure.kind == Kind.MONITORING and procedure.case_id:
        case = MonitoringCase.objects.select_for_update().get(pk=procedure.case_id)
        case.status = choices.CaseStatus.DISMISSED
        case.save(update_fields=["status"])


def _on_approved(procedure: Procedure, on: datetime.date, actor) -> None:
    household = _locked(procedure.household)
    if procedure.kind == Kind.IDENTIFICATION:
        # A household that had been lifted out and is identified again has relapsed.
        was_lifted = household.registered_poor and household.status in (
            Status.LIFTED_WITH_POLICY,
            Status.LIFTED_NO_POLICY,
        )
        household.registered_poor = True
        if household.identification_year is None:
            household.identification_year = on.year
        target = Status.RELAPSED if was_lifted else Status.NOT_LIFTED
        _change_status(household, target, on, actor, procedure)
    elif procedure.kind == Kind.EXIT:
        _change_status(household, Status.LIFTED_WITH_POLICY, on, actor, procedure)
    elif procedure.kind == Kind.MONITORING:
        case = MonitoringCase.objects.select_for_update().get(pk=procedure.case_id)
        case.status = choices.CaseStatus.MONITORED
        case.identified_on = on
        case.save(update_fields=["status", "identified_on"])
        household.monitoring_type = case.monitoring_type
        _save_household(household, ["monitoring_type"])
    elif procedure.kind == Kind.RISK_ELIMINATION:
        case = MonitoringCase.objects.select_for_update().get(pk=procedure.case_id)
        case.status = choices.CaseStatus.RISK_ELIMINATED
        case.eliminated_on = on
        case.save(update_fields=["status", "eliminated_on"])
        household.monitoring_type = ""
        _save_household(household, ["monitoring_type"])


def _change_status(
    household: Household, to_status: str, on: datetime.date, actor, procedure: Procedure
) -> None:
    from_status = household.status
    household.status = to_status
    household.status_since = on
    _save_household(household, ["status", "status_since", "registered_poor", "identification_year"])
    StatusChange.objects.create(
        household=household,
        from_status=from_status,
        to_status=to_status,
        changed_on=on,
        decided_by=_name(actor),
        procedure=procedure,
    )


def _save_household(household: Household, fields: list[str]) -> None:
    """Every change of the household row bumps its version, so that an edit form opened
    before the change is refused instead of overwriting it."""
    household.version += 1
    household.save(update_fields=[*fields, "version", "updated_at"])


# --- small helpers --------------------------------------------------------------------


def _locked(household: Household) -> Household:
    return Household.objects.select_for_update().get(pk=household.pk)


def _name(actor) -> str:
    if actor is None:
        return ""
    getter = getattr(actor, "get_username", None)
    return (getter() if getter else str(actor))[:150]


def check_not_in_future(on: datetime.date) -> None:
    if on > timezone.localdate():
        raise ProcedureError("future_date", _("The date cannot be in the future."))
