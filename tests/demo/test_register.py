"""The synthetic register: reproducible from its seed, valid wherever a real register must
be (ID numbers, families, villages, incomes), written in bulk with one audit event, and
never added on top of a region's existing households."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation

from baolei import idnumbers
from baolei.accounts.scope import Scope
from baolei.audit.models import Action, AuditEvent
from baolei.demo.registry import register as synthetic
from baolei.regions.codes import within
from baolei.regions.models import Level, Region
from baolei.registry import choices
from baolei.registry.models import (
    Helper,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Pairing,
    Person,
    Procedure,
    ProcedureStep,
    Visit,
)
from baolei.registry.services import monitoring, procedures
from tests.registry.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 26)
TOWNSHIP = "420222100"  # 兴国镇
OTHER_TOWNSHIP = "420222101"  # 富池镇
HOUSEHOLDS = 300
MALE_RELATIONS = {"son", "grandson", "father", "son_in_law"}
FEMALE_RELATIONS = {"daughter", "granddaughter", "mother", "daughter_in_law"}


def generate(region: str = TOWNSHIP, seed: int = 7, households: int = HOUSEHOLDS):
    return synthetic.generate_register(region, households, seed, as_of=AS_OF)


def digest_of(region: str, seed: int) -> str:
    """Generate, digest, and roll back, so the next generation starts from the same state."""
    with transaction.atomic():
        generate(region, seed)
        digest = synthetic.register_digest(region)
        transaction.set_rollback(True)
    return digest


def test_the_same_seed_gives_the_same_register_and_another_seed_another():
    first = digest_of(TOWNSHIP, seed=7)
    assert Household.objects.count() == 0  # rolled back
    assert digest_of(TOWNSHIP, seed=7) == first
    assert digest_of(TOWNSHIP, seed=8) != first


def test_every_id_number_is_valid_unique_and_agrees_with_sex_birth_date_and_county():
    counts = generate()
    people = list(Person.objects.values_list("id_number", "sex", "birth_date", "region_code"))
    assert len(people) == counts.people == counts.members + counts.helpers
    assert len({number for number, *_rest in people}) == len(people)
    for number, sex, birth_date, region_code in people:
        parsed = idnumbers.validate(number, today=AS_OF)
        assert (parsed.sex, parsed.birth_date) == (sex, birth_date)
        assert number[:6] == region_code[:6] == "420222"


def test_households_lie_only_in_villages_of_the_region_with_unique_numbers():
    generate()
    villages = set(
        Region.objects.within(TOWNSHIP).filter(level=Level.VILLAGE).values_list("code", flat=True)
    )
    homes = list(Household.objects.values_list("number", "village_id"))
    assert len(homes) == HOUSEHOLDS
    assert {village for _number, village in homes} <= villages
    assert len({village for _number, village in homes}) > 10  # spread, not piled up
    assert all(number.startswith(village) and len(number) == 16 for number, village in homes)
    assert len({number for number, _village in homes}) == HOUSEHOLDS


def test_households_have_one_to_six_members_about_three_on_average():
    counts = generate()
    sizes = list(Household.objects.annotate(n=Count("members")).values_list("n", flat=True))
    assert min(sizes) >= 1 and max(sizes) <= 6
    assert 2.6 <= sum(sizes) / len(sizes) <= 3.5
    assert counts.members == sum(sizes)


def test_families_fit_their_relations():
    generate()
    heads = 0
    for home in Household.objects.prefetch_related("members__person"):
        members = {m.relation: m for m in home.members.all()}
        head = members["head"]
        assert home.head_id == head.person_id
        heads += 1
        head_age = idnumbers.age_on(head.person.birth_date, AS_OF)
        assert 30 <= head_age <= 80
        for member in home.members.all():
            person = member.person
            age = idnumbers.age_on(person.birth_date, AS_OF)
            if member.relation in MALE_RELATIONS:
                assert person.sex == "male"
            if member.relation in FEMALE_RELATIONS:
                assert person.sex == "female"
            if member.relation == "spouse":
                assert person.sex != head.person.sex
                assert abs(age - head_age) <= 7
            if member.relation in ("son", "daughter"):
                assert age <= head_age - 19
            if member.relation in ("father", "mother"):
                assert age >= head_age + 16
            if age < 6:
                assert member.labour_capacity == "none"
            if 6 <= age < 12:
                assert member.school_status == "primary"
    assert heads == HOUSEHOLDS


def test_incomes_assurances_monitoring_pairings_and_visits_are_in_place():
    generate()
    years = HouseholdYear.objects.all()
    assert years.count() == HOUSEHOLDS * 5
    assert set(years.values_list("year", flat=True)) == {2020, 2021, 2022, 2023, 2024}
    for year in years:
        assert year.per_capita_net_income == year.compute_per_capita()
    latest = sorted(years.filter(year=2024).values_list("per_capita_net_income", flat=True))
    assert 6000 <= latest[len(latest) // 2] <= 20000  # the median household
    monitored = Household.objects.exclude(monitoring_type="")
    assert 0 < monitored.count() < HOUSEHOLDS * 0.15
    # Every monitored household has a case whose identification was approved.
    monitored_cases = MonitoringCase.objects.filter(status=choices.CaseStatus.MONITORED)
    assert set(monitored_cases.values_list("household_id", flat=True)) == set(
        monitored.values_list("id", flat=True)
    )
    assert Pairing.objects.filter(ended_on__isnull=True).count() == HOUSEHOLDS
    assert HOUSEHOLDS / 8 <= Helper.objects.count() <= HOUSEHOLDS / 3
    dates = list(Visit.objects.values_list("visited_on", flat=True))
    assert all(AS_OF - datetime.timedelta(days=365) <= day <= AS_OF for day in dates)
    last_visit = Counter(Visit.objects.values_list("household_id", flat=True))
    assert HOUSEHOLDS * 0.8 <= len(last_visit) < HOUSEHOLDS  # most visited, not all


def test_every_case_has_its_procedures_with_dated_steps():
    """The demo's "open longer than 15 days" list was empty: its cases being identified
    had no procedure. Each now has its identification open with the steps done so far;
    a monitored case's was approved the day it was included, an eliminated one's too,
    with the risk elimination after it."""
    counts = generate(households=3000)
    Kind, Outcome = Procedure.Kind, Procedure.Outcome
    identifying = MonitoringCase.objects.filter(status=choices.CaseStatus.IDENTIFYING)
    assert identifying.count() > 5
    sequence = [code for code, _label in procedures.MONITORING_STEPS]
    for case in identifying:
        (procedure,) = case.procedures.all()
        assert (procedure.kind, procedure.outcome) == (Kind.MONITORING, Outcome.OPEN)
        assert procedure.started_on == case.opened_on and procedure.household == case.household
        steps = list(procedure.steps.order_by("id"))
        assert 1 <= len(steps) < len(sequence)  # never the county's approval
        assert [step.step for step in steps] == sequence[: len(steps)]
        days = [step.done_on for step in steps]
        assert days[0] == case.opened_on and days == sorted(days) and days[-1] <= AS_OF
        township = [step for step in steps if step.step == "township_review"]
        assert all(step.actor_name.endswith("人民政府") for step in township)
    for case in MonitoringCase.objects.exclude(status=choices.CaseStatus.IDENTIFYING):
        kinds = [Kind.MONITORING]
        if case.status == choices.CaseStatus.RISK_ELIMINATED:
            kinds.append(Kind.RISK_ELIMINATION)
        done = list(case.procedures.order_by("started_on", "id"))
        assert [p.kind for p in done] == kinds
        assert all(p.outcome == Outcome.APPROVED for p in done)
        assert done[0].completed_on == case.identified_on
        assert done[-1].completed_on == (case.eliminated_on or case.identified_on)
        for p in done:
            steps = list(p.steps.order_by("id"))
            assert [s.step for s in steps] == [c for c, _l in procedures.STEPS[p.kind]]
            assert (
                steps[-1].done_on == p.completed_on and steps[-1].actor_name == "阳新县乡村振兴局"
            )
    assert counts.procedures == Procedure.objects.count()
    assert counts.procedure_steps == ProcedureStep.objects.count()
    # The overdue list: every case being identified that opened more than 15 days ago.
    overdue = monitoring.open_identifications(Scope("revitalisation_bureau", "420222"), AS_OF)
    expected = {c.pk for c in identifying if (AS_OF - c.opened_on).days > 15}
    assert expected and {p.case_id for p in overdue} == expected


def test_a_household_gets_its_monitoring_type_only_when_its_identification_is_approved():
    """The demo showed a monitoring type on households whose case was still being
    identified; in the register the type comes with the county's approval
    (procedures._on_approved). Each household's type is its approved case's, the cases
    being identified leave their households without one."""
    generate(households=3000)
    identifying = MonitoringCase.objects.filter(status=choices.CaseStatus.IDENTIFYING)
    assert identifying.count() > 5
    waiting = Household.objects.filter(monitoring_cases__in=identifying)
    assert set(waiting.values_list("monitoring_type", flat=True)) == {""}
    types = dict(Household.objects.exclude(monitoring_type="").values_list("id", "monitoring_type"))
    approved = MonitoringCase.objects.filter(status=choices.CaseStatus.MONITORED)
    assert dict(approved.values_list("household_id", "monitoring_type")) == types
    assert all(
        case.procedures.get(kind=Procedure.Kind.MONITORING).outcome == Procedure.Outcome.APPROVED
        for case in approved
    )


def test_the_overdue_page_lists_the_generated_cases(client_county_admin):
    today = timezone.localdate()
    synthetic.generate_register(TOWNSHIP, 1500, 7, as_of=today)
    late = MonitoringCase.objects.filter(
        status=choices.CaseStatus.IDENTIFYING, opened_on__lt=today - datetime.timedelta(days=15)
    )
    assert late.exists()
    body = client_county_admin.get("/registry/monitoring/overdue/").content.decode()
    assert body.count('data-testid="days-open"') == min(late.count(), 50)


def test_one_audit_event_for_the_whole_register():
    before = AuditEvent.objects.count()
    counts = generate()
    events = AuditEvent.objects.order_by("id")[before:]
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.model, event.region_code) == (
        Action.IMPORT,
        "registry.household",
        TOWNSHIP,
    )
    assert event.extra["generator"] == "synthetic"
    assert event.extra["seed"] == 7
    assert event.extra["households"] == HOUSEHOLDS
    assert event.extra["people"] == counts.people == Person.objects.count()


def test_a_region_with_households_is_refused_and_left_unchanged():
    HouseholdFactory()  # in 山川台, 兴国镇
    before = (Household.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    with pytest.raises(synthetic.RegisterExists):
        generate(TOWNSHIP)
    with pytest.raises(synthetic.RegisterExists):
        generate("420222")  # the county holds that household too
    assert (Household.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == (
        before
    )
    generate(OTHER_TOWNSHIP, households=20)  # an empty neighbour is fine
    assert Household.objects.filter(within("village_id", OTHER_TOWNSHIP)).count() == 20


def test_the_command_reports_counts_and_says_when_it_refuses():
    out = io.StringIO()
    args = ["--region", TOWNSHIP, "--households", "40", "--seed", "3", "--as-of", "2026-11-26"]
    call_command("generate_register", *args, stdout=out)
    assert "40 households" in out.getvalue()
    assert Household.objects.count() == 40
    out = io.StringIO()
    with translation.override("en"):  # checked in English, whatever the catalogue says
        call_command("generate_register", *args, stdout=out)
    assert "already has 40 households" in out.getvalue()
    assert Household.objects.count() == 40
    assert Member.objects.count() == Person.objects.exclude(helper__isnull=False).count()


def test_the_same_seed_gives_the_same_register_whatever_the_day(monkeypatch):
    """Without --as-of the generator dates everything from the demo's reference date, not
    from today, so the demo's figures do not move from one day to the next."""

    def digest_on(day: datetime.datetime) -> str:
        monkeypatch.setattr(timezone, "now", lambda: day)
        with transaction.atomic():
            synthetic.generate_register(TOWNSHIP, 100, 7)
            digest = synthetic.register_digest(TOWNSHIP)
            transaction.set_rollback(True)
        return digest

    december = digest_on(datetime.datetime(2026, 12, 4, 9, tzinfo=datetime.UTC))
    assert digest_on(datetime.datetime(2027, 7, 1, 9, tzinfo=datetime.UTC)) == december
