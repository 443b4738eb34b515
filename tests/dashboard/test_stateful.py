"""Random sequences of writes to the register — the services, imports, procedure steps,
plain saves, bulk `QuerySet.update()`s and deletions — and after every one of them the
refreshed stored figures equal a recount from scratch (`facts.check()`).

Hypothesis drives a state machine; each example runs inside a savepoint of the test's
transaction that is rolled back at the end, so every example starts from the same
database (the test regions, no register, the figures just rebuilt)."""

import datetime

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from baolei.accounts.scope import Scope
from baolei.dashboard.services import facts
from baolei.imports import pipeline, running
from baolei.imports.models import ImportJob
from baolei.registry import choices
from baolei.registry.models import (
    Household,
    Member,
    MonitoringCase,
    Procedure,
    VillagePopulation,
    Visit,
)
from baolei.registry.services import households as household_services
from baolei.registry.services import procedures
from baolei.registry.sheets.households import SHEET
from tests.imports.registry_files import csv_bytes, family
from tests.registry.factories import HouseholdYearFactory, MonitoringCaseFactory, id_number

pytestmark = pytest.mark.django_db

# Two villages of the importer's township, one of the next township, one of another county.
VILLAGES = ("420222100001", "420222100002", "420222101001", "420281001001")
IMPORT_VILLAGES = VILLAGES[:2]
BIRTH = datetime.date(1966, 3, 3)  # no factory or import file uses it: ID numbers stay unique
Status = choices.PovertyStatus
STATUSES = ("", *Status.values)
MONITORING = ("", *choices.MonitoringType.values)
IMPORT_STATUSES = ("未脱贫", "已脱贫(享受政策)", "返贫")

SETTINGS = settings(
    max_examples=20,
    stateful_step_count=12,
    deadline=None,
    database=None,  # no example database written into the working tree
    derandomize=True,  # the same sequences in every CI run: a failure reproduces
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def today() -> datetime.date:
    return timezone.localdate()


class Register(RuleBasedStateMachine):
    importer = None  # the user whose scope imports run in (set by the test)

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.people = 0  # ID numbers given out in this example
        self.imported = 0  # household numbers given out by imports
        self.created = 0  # household numbers given out by the service

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    # --- helpers ----------------------------------------------------------------------

    def next_id_number(self) -> str:
        self.people += 1
        return id_number(self.people, BIRTH, male=self.people % 2 == 0)

    def household(self, data) -> Household | None:
        pks = list(Household.objects.order_by("pk").values_list("pk", flat=True))
        if not pks:
            return None
        return Household.objects.get(pk=data.draw(st.sampled_from(pks)))

    # --- the writes -------------------------------------------------------------------

    @initialize(village=st.sampled_from(VILLAGES), size=st.integers(1, 3))
    def start_with_a_household(self, village, size):
        self.create_household(village, Status.NOT_LIFTED, size, True)

    @rule(
        village=st.sampled_from(VILLAGES),
        status=st.sampled_from(STATUSES),
        size=st.integers(0, 3),
        income_year=st.booleans(),
    )
    def create_household(self, village, status, size, income_year):
        """Through the register's service, as the household page does."""
        self.created += 1
        household = household_services.do_create_household(
            None,
            village=village,
            number=f"S{self.created}",
            status=status,
            address="测试地址",
            attribute=choices.HouseholdAttribute.ORDINARY if status else "",
            identification_year=2016 if status else None,
            main_cause=choices.PovertyCause.ILLNESS if status else "",
        )
        relations = ("head", "spouse", "son")
        for relation in relations[:size]:
            household_services.do_add_member(
                None,
                household,
                id_number=self.next_id_number(),
                name=f"成员{self.people}",
                relation=relation,
                labour_capacity=choices.LabourCapacity.ORDINARY,
            )
        if income_year:  # data that pass the exit check, so that an exit can complete
            HouseholdYearFactory(household=household, year=today().year - 1)

    @rule(
        data=st.data(),
        status=st.sampled_from(STATUSES),
        registered=st.booleans(),
        monitoring=st.sampled_from(MONITORING),
    )
    def correct_household(self, data, status, registered, monitoring):
        """A data correction saved on the model (what the admin does): status, register
        and monitoring type at once."""
        household = self.household(data)
        if household is None:
            return
        household.status = status
        household.registered_poor = registered
        household.monitoring_type = monitoring
        household.save()

    @rule(data=st.data(), village=st.sampled_from(VILLAGES))
    def move_household(self, data, village):
        """To another village (its figures leave one village and arrive in another)."""
        household = self.household(data)
        if household is None:
            return
        household_services.do_update_household(None, household, household.version, village=village)

    @rule(data=st.data())
    def delete_household(self, data):
        household = self.household(data)
        if household is None:
            return
        try:
            household.delete()
        except ProtectedError:
            # A status decided by a procedure keeps its record: the register refuses
            # (StatusChange.procedure is PROTECT), and nothing is written.
            event("delete refused")

    @rule(data=st.data(), days_ago=st.integers(0, 200))
    def record_visit(self, data, days_ago):
        household = self.household(data)
        if household is not None:
            Visit.objects.create(
                household=household,
                visited_on=today() - datetime.timedelta(days=days_ago),
                findings="入户走访",
            )

    @rule(
        data=st.data(),
        days_ago=st.integers(0, 60),
        monitoring=st.sampled_from(choices.MonitoringType.values),
    )
    def open_case(self, data, days_ago, monitoring):
        household = self.household(data)
        if household is not None:
            MonitoringCaseFactory(
                household=household,
                monitoring_type=monitoring,
                status=choices.CaseStatus.IDENTIFYING,
                opened_on=today() - datetime.timedelta(days=days_ago),
                identified_on=None,
            )

    @rule(data=st.data(), outcome=st.sampled_from(choices.CaseStatus.values))
    def close_case(self, data, outcome):
        pks = list(MonitoringCase.objects.order_by("pk").values_list("pk", flat=True))
        if not pks:
            return
        case = MonitoringCase.objects.get(pk=data.draw(st.sampled_from(pks)))
        case.status = outcome
        case.eliminated_on = today() if outcome == choices.CaseStatus.RISK_ELIMINATED else None
        case.save()

    def start_procedure(self, data) -> Procedure | None:
        """A procedure whose preconditions the household may meet: identification of a
        household not poor, exit of a poor one, monitoring of a case being identified,
        risk elimination of a monitored one."""
        household = self.household(data)
        if household is None:
            return None
        Kind = Procedure.Kind
        poor = household.registered_poor and household.status in ("not_lifted", "relapsed")
        kinds = [Kind.EXIT] if poor else [Kind.IDENTIFICATION]
        cases = set(household.monitoring_cases.values_list("status", flat=True))
        if choices.CaseStatus.IDENTIFYING in cases:
            kinds.append(Kind.MONITORING)
        if choices.CaseStatus.MONITORED in cases:
            kinds.append(Kind.RISK_ELIMINATION)
        kind = data.draw(st.sampled_from(kinds))
        try:
            return procedures.do_start_procedure(
                household, kind, on=today() - datetime.timedelta(days=20), actor=None
            )
        except procedures.ProcedureError:
            event("procedure refused")  # its preconditions do not hold: nothing written
            return None

    @rule(data=st.data())
    def new_procedure(self, data):
        self.start_procedure(data)

    @rule(data=st.data(), steps=st.integers(1, 8), reject=st.booleans())
    def procedure_steps(self, data, steps, reject):
        """The next steps of an open procedure, in order, a day apart: the last one
        approved changes the household's status or its monitoring, not approved it ends
        the procedure (and a monitoring case as dismissed)."""
        open_ones = list(Procedure.objects.filter(outcome=Procedure.Outcome.OPEN).order_by("pk"))
        procedure = data.draw(st.sampled_from(open_ones)) if open_ones else None
        procedure = procedure or self.start_procedure(data)
        if procedure is None:
            return
        for _ in range(steps):
            following = procedures.next_step(procedure)
            if following is None:
                break
            done = procedure.steps.count()
            last = done + 1 == len(procedures.STEPS[procedure.kind])
            try:
                procedures.do_record_step(
                    procedure,
                    following[0],
                    on=procedure.started_on + datetime.timedelta(days=done + 1),
                    actor=None,
                    approved=not (reject and last),
                )
            except procedures.ProcedureError:
                event("step refused")  # an exit whose data no longer pass: nothing written
                break
            procedure.refresh_from_db()
        event(f"procedure {procedure.kind}: {procedure.outcome}")

    @rule(
        village=st.sampled_from(IMPORT_VILLAGES),
        size=st.integers(1, 4),
        status=st.sampled_from(IMPORT_STATUSES),
    )
    def import_households(self, village, size, status):
        """A small CSV through the real import pipeline, in the importer's scope."""
        self.imported += 1
        first = 3 * self.imported  # registry_files' numbers, 5 per file at most
        rows = family(
            f"42022210000190{self.imported:04d}",
            first * 2,
            size,
            village=village,
            贫困户状态=status,
        )
        rows += family(f"42022210000191{self.imported:04d}", first * 2 + size, 1, village=village)
        context = pipeline.ImportContext(
            scope=Scope.for_user(self.importer),
            filename="户.csv",
            sha256="e" * 64,
            actor_name=self.importer.username,
        )
        with translation.override("en"):
            outcome = running.run_import(SHEET, csv_bytes(rows), "户.csv", context)
        assert outcome.status != ImportJob.Status.REJECTED, [
            (e.row, e.column, str(e.reason)) for e in outcome.errors
        ]

    @rule(
        village=st.sampled_from(VILLAGES),
        to=st.sampled_from(VILLAGES),
        change=st.sampled_from(("register", "monitoring", "move", "members", "visits")),
        flag=st.booleans(),
    )
    def bulk_update(self, village, to, change, flag):
        """`QuerySet.update()`: no model save, no signal — only the triggers see it."""
        households = Household.objects.filter(village_id=village)
        if change == "register":
            households.update(registered_poor=flag)
        elif change == "monitoring":
            households.update(monitoring_type="unstable" if flag else "")
        elif change == "move":
            households.update(village_id=to)
        elif change == "members":
            target = Household.objects.filter(village_id=to).order_by("pk").first()
            if target is not None:
                Member.objects.filter(household__village_id=village).update(household=target)
        else:
            Visit.objects.filter(household__village_id=village).update(visited_on=today())

    @rule(village=st.sampled_from(VILLAGES), people=st.integers(100, 5000), back=st.integers(0, 3))
    def record_population(self, village, people, back):
        VillagePopulation.objects.update_or_create(
            village_id=village, year=today().year - back, defaults={"population": people}
        )

    # --- after every write ------------------------------------------------------------

    @invariant()
    def stored_figures_equal_a_recount(self):
        facts.refresh()
        assert facts.check() == []


def test_random_writes_keep_every_stored_figure_equal_to_a_recount(insider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    facts.rebuild()
    Register.importer = insider
    run_state_machine_as_test(Register, settings=SETTINGS)
