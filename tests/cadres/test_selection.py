"""Selection criteria on worked examples (one per criterion), the rules of the most
specific region, the candidate page, and the gaps."""

import datetime
from decimal import Decimal

import pytest

from baolei.cadres.choices import Education, PoliticalStatus
from baolei.cadres.models import SelectionRules
from baolei.cadres.services import criteria, selection
from tests.cadres.factories import DisciplinaryRecordFactory
from tests.cadres.factories_teams import CandidateFactory, TeamMemberFactory
from tests.registry.factories import VILLAGE, HouseholdFactory, MonitoringCaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ON = datetime.date(2025, 3, 1)


def _rules(**values) -> SelectionRules:
    base = {
        "region_code": "420222",
        "year": 2025,
        "reference_date": ON,
        "party_member_required": False,
        "no_discipline_required": False,
        "max_age": None,
        "min_experience_years": 0,
        "min_education": "",
        "keywords": "",
    }
    return SelectionRules(**{**base, **values})


def _only(candidate, rules) -> criteria.Criterion:
    [evaluation] = criteria.evaluate_all([candidate], lambda c: rules)
    [criterion] = evaluation.criteria
    return criterion


def test_party_membership_probationary_members_do_not_pass():
    rules = _rules(party_member_required=True)
    member = CandidateFactory()
    probationary = CandidateFactory(cadre__political_status=PoliticalStatus.PROBATIONARY_MEMBER)
    assert _only(member, rules).passed
    assert not _only(probationary, rules).passed
    assert _only(probationary, rules).value == "CPC probationary member"


def test_a_sanction_counts_while_in_effect_on_the_reference_date():
    rules = _rules(no_discipline_required=True)
    ended = CandidateFactory()
    DisciplinaryRecordFactory(
        cadre=ended.cadre, decided_on=datetime.date(2023, 6, 1), ends_on=datetime.date(2024, 6, 1)
    )
    running = CandidateFactory()
    DisciplinaryRecordFactory(
        cadre=running.cadre, decided_on=datetime.date(2024, 9, 1), ends_on=datetime.date(2025, 9, 1)
    )
    assert _only(ended, rules).passed
    assert not _only(running, rules).passed and _only(running, rules).value == "1 in effect"


def test_no_sanction_reads_as_such_rather_than_as_a_bare_zero():
    clean = CandidateFactory()
    found = _only(clean, _rules(no_discipline_required=True))
    assert found.passed and str(found.value) == "no sanction in effect"


def test_age_limit_counted_on_the_reference_date():
    rules = _rules(max_age=45)
    # born 1980-01-01: 45 on 2025-03-01, still within the limit; born 1979-03-01: 46.
    young = CandidateFactory(cadre__person__birth_date=datetime.date(1980, 1, 1))
    old = CandidateFactory(cadre__person__birth_date=datetime.date(1979, 3, 1))
    assert _only(young, rules).value == "45" and _only(young, rules).passed
    assert _only(old, rules).value == "46" and not _only(old, rules).passed


def test_work_experience_in_whole_years():
    rules = _rules(min_experience_years=2)
    # started 2023-03-02: one year and 364 days on 2025-03-01; started 2023-03-01: two years
    short = CandidateFactory(cadre__work_started_on=datetime.date(2023, 3, 2))
    enough = CandidateFactory(cadre__work_started_on=datetime.date(2023, 3, 1))
    unknown = CandidateFactory(cadre__work_started_on=None)
    assert _only(short, rules).value == "1" and not _only(short, rules).passed
    assert _only(enough, rules).value == "2" and _only(enough, rules).passed
    assert not _only(unknown, rules).passed


def test_minimum_education_accepts_it_and_higher():
    rules = _rules(min_education=Education.COLLEGE)
    assert _only(CandidateFactory(cadre__education=Education.COLLEGE), rules).passed
    assert _only(CandidateFactory(cadre__education=Education.POSTGRADUATE), rules).passed
    assert not _only(CandidateFactory(cadre__education=Education.SECONDARY), rules).passed


def test_relevant_experience_any_keyword_in_specialities_or_experience():
    rules = _rules(keywords="乡村振兴，党建")
    by_experience = CandidateFactory(experience="负责机关党建工作", cadre__specialities="财务")
    none = CandidateFactory(experience="档案管理", cadre__specialities="财务")
    assert _only(by_experience, rules).value == "党建" and _only(by_experience, rules).passed
    assert not _only(none, rules).passed


def test_the_most_specific_regions_rules_apply():
    SelectionRules.objects.create(region_code="420222", year=2025, reference_date=ON, max_age=45)
    SelectionRules.objects.create(region_code="420222100", year=2025, reference_date=ON, max_age=50)
    assert criteria.selection_rules("420222100001", 2025).max_age == 50
    assert criteria.selection_rules("420222101001", 2025).max_age == 45
    assert criteria.selection_rules("420281100001", 2025).region_code == ""  # the defaults


def test_the_candidate_page_shows_each_criterion(client_county_admin):
    SelectionRules.objects.create(region_code="420222", year=2025, reference_date=ON)
    CandidateFactory(cadre__person__name="张合格")
    CandidateFactory(
        cadre__person__name="李年长", cadre__person__birth_date=datetime.date(1970, 5, 5)
    )
    page = client_county_admin.get("/cadres/teams/candidates/?year=2025").content.decode()
    assert "张合格" in page and "李年长" in page
    assert "Aged 45 or under: 54 ✗" in page
    assert page.count("Not eligible") == 1 and page.count(">Eligible<") == 1


def test_township_officers_do_not_see_the_disciplinary_criterion(client_insider):
    running = CandidateFactory(cadre__person__name="王处分")
    DisciplinaryRecordFactory(
        cadre=running.cadre, decided_on=datetime.date(2024, 9, 1), ends_on=None
    )
    page = client_insider.get("/cadres/teams/candidates/?year=2025").content.decode()
    assert "王处分" in page and "restricted" in page
    assert "Not eligible" not in page


def test_gaps_are_villages_with_many_monitored_households_and_no_first_secretary():
    SelectionRules.objects.create(
        region_code="420222", year=2025, reference_date=ON, monitored_threshold=2
    )
    for _ in range(2):
        MonitoringCaseFactory(household=HouseholdFactory())
    found = selection.gaps("420222100", 2025)
    assert [need.village.code for need in found] == [VILLAGE]
    assert found[0].monitored == 2
    TeamMemberFactory()  # a first secretary for 山川台
    assert selection.gaps("420222100", 2025) == []


def test_the_rules_page_saves_the_countys_rules(client_county_admin):
    data = {
        "which": "selection",
        "party_member_required": "on",
        "no_discipline_required": "on",
        "max_age": "40",
        "reference_date": "2025-03-01",
        "min_experience_years": "3",
        "min_education": Education.UNDERGRADUATE,
        "keywords": "党建",
        "monitored_threshold": "8",
        "poverty_incidence_threshold": "2.5",
        "poverty_threshold": "30",
    }
    response = client_county_admin.post("/cadres/teams/rules/?region=420222&year=2025", data)
    assert response.status_code == 302
    rules = criteria.selection_rules("420222100001", 2025)
    assert (rules.max_age, rules.min_experience_years, rules.keyword_list()) == (40, 3, ["党建"])
    assert rules.poverty_incidence_threshold == Decimal("2.5")
    attendance = {"which": "attendance", "min_days_month": "18", "min_days_year": "200"}
    attendance["short_leave_days"] = "2"
    client_county_admin.post("/cadres/teams/rules/?region=420222&year=2025", attendance)
    from baolei.cadres.services.teams import attendance_rule

    assert attendance_rule("420222100001", 2025).min_days_month == 18


def test_putting_a_cadre_forward_from_the_page(client_county_admin):
    from tests.cadres.factories import CadreFactory

    cadre = CadreFactory(person__name="推荐人")
    data = {"cadre": cadre.pk, "year": 2025, "industries": ["tea", "fruit"]}
    data["assistance_experience"] = "on"
    response = client_county_admin.post("/cadres/teams/candidates/new/", data)
    assert response.status_code == 302
    candidate = cadre.candidacies.get()
    assert candidate.industries == ["tea", "fruit"] and candidate.assistance_experience
    again = client_county_admin.post("/cadres/teams/candidates/new/", data)
    assert "already a candidate for 2025" in again.content.decode()


def test_the_gap_page_lists_the_village(client_county_admin):
    SelectionRules.objects.create(
        region_code="420222", year=2025, reference_date=ON, monitored_threshold=1
    )
    MonitoringCaseFactory(household=HouseholdFactory())
    page = client_county_admin.get("/cadres/teams/gaps/?region=420222&year=2025")
    assert page.status_code == 200 and "山川台社区居委会" in page.content.decode()


def test_a_national_administrator_names_the_county_before_seeing_its_gaps(client_sysadmin):
    SelectionRules.objects.create(
        region_code="420222", year=2025, reference_date=ON, monitored_threshold=1
    )
    MonitoringCaseFactory(household=HouseholdFactory())
    for path in ("/cadres/teams/gaps/", "/cadres/teams/rules/"):
        asked = client_sysadmin.get(path)
        assert asked.status_code == 200
        assert b'data-testid="choose-region"' in asked.content
        assert "山川台社区居委会" not in asked.content.decode()
    page = client_sysadmin.get("/cadres/teams/gaps/?region=420222&year=2025")
    assert "山川台社区居委会" in page.content.decode()


def test_setting_a_villages_main_industry_from_the_gap_page(client_county_admin):
    response = client_county_admin.post(
        "/cadres/teams/villages/420222100001/industry/", {"industry": "tea"}
    )
    assert response.status_code == 302
    from baolei.cadres.models import VillageProfile

    assert VillageProfile.objects.get(village_id="420222100001").main_industry == "tea"
