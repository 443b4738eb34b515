"""Matching runs on a worked example: propose, adjust one pair, refuse a candidate used
twice, confirm (teams and first secretaries created, all or nothing); pages and API."""

import datetime

import pytest

from baolei.accounts.scope import Scope
from baolei.cadres.models import (
    CandidateStatus,
    MatchingPair,
    MatchingRun,
    MemberRole,
    RunStatus,
    SelectionRules,
    TeamMember,
    VillageProfile,
)
from baolei.cadres.services import criteria, selection
from baolei.regions.models import Level, Region
from tests.cadres.factories import CadreFactory
from tests.cadres.factories_teams import (
    CandidateFactory,
    MatchingRunFactory,
    TeamMemberFactory,
    WorkTeamFactory,
)
from tests.factories import ApiTokenFactory
from tests.helpers import bearer
from tests.registry.factories import HouseholdFactory, MonitoringCaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

V1, V2 = "420222100001", "420222100002"


@pytest.fixture
def example():
    """Two villages of 兴国镇 that need a first secretary (open monitoring cases: 2 and 1,
    threshold 1), three eligible candidates working in 兴国镇 (A, B) or the county (C).

    Fits by hand: A (assistance, tea) with V1 (tea, 2 monitored): 2 + 25 + 5 (local) = 32;
    A-V2 (fruit, 1 monitored): 1 + 5 = 6; B (assistance) B-V1: 2 + 5 = 7, B-V2: 1 + 5 = 6;
    C (no strengths, works for the county): 0 everywhere. Optimum A-V1 + B-V2 = 38."""
    SelectionRules.objects.create(
        region_code="420222",
        year=2025,
        reference_date=datetime.date(2025, 3, 1),
        monitored_threshold=1,
        poverty_threshold=100,
    )
    for code, cases in ((V1, 2), (V2, 1)):
        village = Region.objects.get(code=code)
        for _ in range(cases):
            MonitoringCaseFactory(household=HouseholdFactory(village=village))
    VillageProfile.objects.create(village_id=V1, main_industry="tea")
    VillageProfile.objects.create(village_id=V2, main_industry="fruit")
    common = {"weak_branch_experience": False, "experience": ""}
    a = CandidateFactory(cadre__person__name="甲", industries=["tea"], **common)
    b = CandidateFactory(cadre__person__name="乙", industries=[], **common)
    c = CandidateFactory(
        cadre=CadreFactory(person__name="丙", region_code="420222"),
        industries=[],
        assistance_experience=False,
        **common,
    )
    return {"a": a, "b": b, "c": c}


def _scope(user):
    return Scope.for_user(user)


def _pairs(run):
    return {p.village_id: p for p in MatchingPair.objects.filter(run=run)}


def test_the_proposal_is_the_optimum_with_each_fit_explained(county_admin, example):
    run = selection.do_start_matching(
        county_admin, _scope(county_admin), "420222100", 2025, datetime.date(2025, 3, 1)
    )
    pairs = _pairs(run)
    assert pairs[V1].candidate == example["a"] and pairs[V2].candidate == example["b"]
    assert pairs[V1].reasons == [["monitored", 2], ["industry", 25], ["local", 5]]
    assert (pairs[V1].fit, pairs[V2].fit, run.optimal_fit) == (32, 6, 38)


def test_an_ineligible_candidate_is_left_out(county_admin, example):
    example["a"].cadre.political_status = "masses"
    example["a"].cadre.save()
    run = selection.do_start_matching(
        county_admin, _scope(county_admin), "420222100", 2025, datetime.date(2025, 3, 1)
    )
    # B-V1 7 + C-V2 0 = 7 beats B-V2 6 + C-V1 0
    pairs = _pairs(run)
    assert (pairs[V1].candidate, pairs[V2].candidate) == (example["b"], example["c"])


def test_adjusting_a_pair_and_refusing_a_candidate_used_twice(county_admin, example):
    scope = _scope(county_admin)
    run = selection.do_start_matching(
        county_admin, scope, "420222100", 2025, datetime.date(2025, 3, 1)
    )
    pairs = _pairs(run)
    with pytest.raises(selection.TeamsError) as error:
        selection.do_adjust_pair(county_admin, scope, pairs[V1], example["b"])
    assert error.value.code == "candidate_taken" and "乙" in str(error.value)
    selection.do_adjust_pair(county_admin, scope, pairs[V2], example["c"])
    assert selection.run_total(run) == 32 and _pairs(run)[V2].adjusted


def test_confirming_creates_the_teams_and_first_secretaries(county_admin, example):
    scope = _scope(county_admin)
    run = selection.do_start_matching(
        county_admin, scope, "420222100", 2025, datetime.date(2025, 3, 1)
    )
    appointed = selection.do_confirm_run(county_admin, scope, run)
    assert {(m.team.village_id, m.cadre_id) for m in appointed} == {
        (V1, example["a"].cadre_id),
        (V2, example["b"].cadre_id),
    }
    assert all(m.role == MemberRole.FIRST_SECRETARY for m in appointed)
    assert appointed[0].team.ends_on == datetime.date(2027, 3, 1)
    example["a"].refresh_from_db()
    assert example["a"].status == CandidateStatus.APPOINTED
    assert MatchingRun.objects.get(pk=run.pk).status == RunStatus.CONFIRMED
    assert selection.gaps("420222100", 2025) == []
    with pytest.raises(selection.TeamsError):
        selection.do_confirm_run(county_admin, scope, run)  # only once


def test_confirmation_is_all_or_nothing(county_admin, example):
    scope = _scope(county_admin)
    run = selection.do_start_matching(
        county_admin, scope, "420222100", 2025, datetime.date(2025, 3, 1)
    )
    # meanwhile someone else became first secretary of V2
    TeamMemberFactory(team__village_id=V2, cadre=CadreFactory())
    with pytest.raises(selection.TeamsError):
        selection.do_confirm_run(county_admin, scope, run)
    assert not TeamMember.objects.filter(cadre=example["a"].cadre).exists()
    assert MatchingRun.objects.get(pk=run.pk).status == RunStatus.PROPOSED


def test_the_pages_run_adjust_and_confirm(client_county_admin, example):
    response = client_county_admin.post(
        "/cadres/teams/matching/", {"region": "420222100", "year": 2025, "starts_on": "2025-03-01"}
    )
    assert response.status_code == 302
    run = MatchingRun.objects.get()
    page = client_county_admin.get(response.url).content.decode()
    assert 'data-testid="total-fit">38<' in page and "Main industry among" in page
    pair = _pairs(run)[V2]
    client_county_admin.post(
        f"/cadres/teams/matching/pairs/{pair.pk}/", {"candidate": example["c"].pk}
    )
    page = client_county_admin.get(response.url).content.decode()
    assert 'data-testid="total-fit">32<' in page
    refused = client_county_admin.post(
        f"/cadres/teams/matching/pairs/{pair.pk}/", {"candidate": example["a"].pk}, follow=True
    )
    assert "甲 is already proposed for" in refused.content.decode()
    client_county_admin.post(f"/cadres/teams/matching/{run.pk}/confirm/")
    teams = client_county_admin.get("/cadres/teams/?region=420222100").content.decode()
    assert "甲" in teams and "丙" in teams


def test_township_officers_cannot_run_matching(client_insider, example):
    assert client_insider.get("/cadres/teams/matching/").status_code == 403


def test_the_api_runs_adjusts_and_confirms(client, county_admin, example):
    key = ApiTokenFactory(user=county_admin).key
    created = client.post(
        "/api/cadres/matching",
        data={"region_code": "420222100", "year": 2025, "starts_on": "2025-03-01"},
        content_type="application/json",
        headers=bearer(key),
    )
    assert created.status_code == 201 and created.json()["total_fit"] == 38
    run = created.json()
    v2 = next(p for p in run["pairs"] if p["village_code"] == V2)
    taken = client.put(
        f"/api/cadres/matching/{run['id']}/pairs/{v2['id']}",
        data={"candidate_id": example["a"].pk},
        content_type="application/json",
        headers=bearer(key),
    )
    assert taken.status_code == 422 and taken.json()["code"] == "candidate_taken"
    confirmed = client.post(f"/api/cadres/matching/{run['id']}/confirm", headers=bearer(key))
    assert confirmed.json()["status"] == "confirmed"
    gaps = client.get("/api/cadres/gaps?region=420222100&year=2025", headers=bearer(key))
    assert gaps.json() == []


# --- discarding ----------------------------------------------------------------------------


def test_a_proposal_is_discarded_from_its_page_and_appoints_nobody(client_county_admin, example):
    run = selection.do_start_matching(None, None, "420222100", 2025, datetime.date(2025, 3, 1))
    page = client_county_admin.get(f"/cadres/teams/matching/{run.pk}/").content.decode()
    assert f"/cadres/teams/matching/{run.pk}/discard/" in page
    response = client_county_admin.post(f"/cadres/teams/matching/{run.pk}/discard/")
    assert response.status_code == 302
    assert MatchingRun.objects.get(pk=run.pk).status == RunStatus.DISCARDED
    page = client_county_admin.get(f"/cadres/teams/matching/{run.pk}/").content.decode()
    assert "/discard/" not in page and "/confirm/" not in page  # closed: nothing to press
    refused = client_county_admin.post(f"/cadres/teams/matching/{run.pk}/confirm/", follow=True)
    assert "already been confirmed or discarded" in refused.content.decode()
    assert not TeamMember.objects.exists()


def test_a_township_officer_cannot_discard(client_insider, example):
    run = selection.do_start_matching(None, None, "420222100", 2025, datetime.date(2025, 3, 1))
    assert client_insider.post(f"/cadres/teams/matching/{run.pk}/discard/").status_code == 403
    assert MatchingRun.objects.get(pk=run.pk).status == RunStatus.PROPOSED


def test_the_api_discards_once(client, county_admin, example):
    run = selection.do_start_matching(None, None, "420222100", 2025, datetime.date(2025, 3, 1))
    key = ApiTokenFactory(user=county_admin).key
    discarded = client.post(f"/api/cadres/matching/{run.pk}/discard", headers=bearer(key))
    assert discarded.status_code == 200 and discarded.json()["status"] == "discarded"
    again = client.post(f"/api/cadres/matching/{run.pk}/discard", headers=bearer(key))
    assert again.status_code == 422 and again.json()["code"] == "run_closed"


# --- adjusting one pair with a large pool -----------------------------------------------------


def _large_run(villages: int, pool: int) -> MatchingRun:
    """A proposal over `villages` villages of 阳新县 with `pool` eligible candidates, the
    first `villages` of them proposed."""
    run = MatchingRunFactory(region_code="420222")
    candidates = [
        CandidateFactory(cadre__person__name=f"人选{n:03d}", weak_branch_experience=n % 2 == 0)
        for n in range(pool)
    ]
    codes = Region.objects.filter(code__startswith="420222", level=Level.VILLAGE).order_by("code")
    for n, village in enumerate(codes[:villages]):
        MatchingPair.objects.create(
            run=run,
            village=village,
            candidate=candidates[n] if n < pool else None,
            fit=1,
            needs={"weak_branch": True, "monitored": 0, "registered": 0},
        )
    return run


def test_the_proposal_page_does_not_grow_with_the_pool(client_county_admin):
    run = _large_run(villages=60, pool=80)
    response = client_county_admin.get(f"/cadres/teams/matching/{run.pk}/")
    page = response.content.decode()
    assert page.count("<option") == 0  # no list of the pool in any row
    assert page.count("<tr data-village=") == 50  # one page of pairs
    assert 'data-testid="total-fit">60<' in page and "60 villages, 60 with a candidate" in page
    second = client_county_admin.get(f"/cadres/teams/matching/{run.pk}/?page=2").content.decode()
    assert second.count("<tr data-village=") == 10


def test_the_adjust_page_lists_the_best_free_eligible_candidates_only(client_county_admin):
    run = _large_run(villages=5, pool=40)
    CandidateFactory(cadre__person__name="非党员", cadre__political_status="masses")
    TeamMemberFactory(cadre=CandidateFactory(cadre__person__name="在岗者").cadre)
    pair = MatchingPair.objects.filter(run=run).order_by("village_id").first()
    url = f"/cadres/teams/matching/pairs/{pair.pk}/"
    page = client_county_admin.get(url).content.decode()
    listed = page.count('<tr data-candidate="')
    assert listed == selection.ADJUST_CHOICES  # 35 are free and eligible: the best 20
    assert "人选000" not in page.split('data-testid="option-table"')[1]  # proposed already
    assert "非党员" not in page and "在岗者" not in page
    # the weak-branch candidates (40 points) come first
    first_row = page.split('<tr data-candidate="')[1]
    assert "+40" in first_row.split("</tr>")[0]
    found = client_county_admin.get(url, {"q": "人选039"}).content.decode()
    assert found.count('<tr data-candidate="') == 1 and "人选039" in found
    none = client_county_admin.get(url, {"q": "在岗者"}).content.decode()
    assert 'data-testid="no-option"' in none


def test_adjusting_checks_only_the_chosen_candidate(county_admin, monkeypatch):
    run = _large_run(villages=3, pool=30)
    pair = MatchingPair.objects.filter(run=run).order_by("village_id").first()
    sizes = []
    evaluate_all = criteria.evaluate_all

    def counting(candidates, rules_for):
        sizes.append(len(candidates))
        return evaluate_all(candidates, rules_for)

    monkeypatch.setattr(selection, "evaluate_all", counting)
    free = CandidateFactory(cadre__person__name="自由人")
    selection.do_adjust_pair(county_admin, _scope(county_admin), pair, free)
    assert sizes == [1]
    masses = CandidateFactory(cadre__political_status="masses")
    with pytest.raises(selection.TeamsError) as error:
        selection.do_adjust_pair(county_admin, _scope(county_admin), pair, masses)
    assert error.value.code == "not_eligible"
    serving = TeamMemberFactory(cadre=CandidateFactory().cadre).cadre.candidacies.get()
    with pytest.raises(selection.TeamsError) as error:
        selection.do_adjust_pair(county_admin, _scope(county_admin), pair, serving)
    assert error.value.code == "not_eligible"


def test_adjusting_from_the_adjust_page_goes_back_to_the_pairs_page(client_county_admin):
    run = _large_run(villages=55, pool=60)
    last = MatchingPair.objects.filter(run=run).order_by("village_id").last()
    spare = CandidateFactory(cadre__person__name="替补")
    response = client_county_admin.post(
        f"/cadres/teams/matching/pairs/{last.pk}/", {"candidate": spare.pk}
    )
    assert response.status_code == 302 and response.url.endswith("?page=2")
    last.refresh_from_db()
    assert last.candidate == spare and last.adjusted


def test_confirming_into_a_team_with_too_little_term_left_is_refused(county_admin, example):
    WorkTeamFactory(village_id=V1)  # no first secretary yet; its term ends 2026-01-01
    scope = _scope(county_admin)
    run = selection.do_start_matching(
        county_admin, scope, "420222100", 2025, datetime.date(2025, 3, 1)
    )
    with pytest.raises(selection.TeamsError) as error:
        selection.do_confirm_run(county_admin, scope, run)
    assert error.value.code == "term_too_short" and "2026-01-01" in str(error.value)
    assert not TeamMember.objects.exists()
