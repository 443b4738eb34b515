"""Grading on the worked checklist of `grading_factories` (maximum 100 weighted points):

organisation building   max 40 × 1
organisation life       max 20 × 2
leading development     max 20 × 1
"""

import datetime
from decimal import Decimal

import pytest

from baolei.accounts.scope import Scope
from baolei.organisation.models import BranchGrading, Grade
from baolei.organisation.services import grading
from tests.organisation import grading_factories as make
from tests.organisation.factories import HostEntityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_total_percentage_and_grade_worked_by_hand():
    checklist = make.checklist()
    branch = make.branch()
    # 36×1 + 17×2 + 15×1 = 36 + 34 + 15 = 85 of 100 → 85% → good (75 ≤ 85 < 90)
    graded = make.grade(branch, checklist, 36, 17, 15)
    assert graded.total == Decimal("85.00")
    assert graded.percent == Decimal("85.00")
    assert graded.grade == Grade.GOOD
    assert graded.lagging is False
    assert graded.region_code == branch.region_code


@pytest.mark.parametrize(
    ("scores", "total", "grade"),
    [
        ((40, 20, 12), "92", Grade.ADVANCED),  # 40 + 40 + 12
        ((30, 15, 15), "75", Grade.GOOD),  # 30 + 30 + 15: exactly on the band
        ((30, 10, 14), "64", Grade.AVERAGE),  # 30 + 20 + 14
        ((20, 10, 5), "45", Grade.LAGGING),  # 20 + 20 + 5
    ],
)
def test_each_band(scores, total, grade):
    graded = make.grade(make.branch(), make.checklist(), *scores)
    assert graded.total == Decimal(total)
    assert graded.grade == grade
    assert graded.lagging is (grade == Grade.LAGGING)


def test_the_explanation_names_every_indicator():
    checklist = make.checklist()
    graded = make.grade(make.branch(), checklist, 36, 17, 15)
    result = grading.explain(graded)
    lines = [line.explanation for line in result.lines]
    assert lines == [
        "36 of 40 × weight 1 = 36 of 40",
        "17 of 20 × weight 2 = 34 of 40",
        "15 of 20 × weight 1 = 15 of 20",
    ]
    assert result.explanation == "85 of 100 points = 85%, at least 75%: Good"


def test_star_bands_of_another_checklist():
    checklist = make.checklist()
    for band in list(checklist.bands.all()):
        grading.do_remove_band(None, band)
    grading.do_set_band(None, checklist, Grade.FIVE_STARS, Decimal(95), False)
    grading.do_set_band(None, checklist, Grade.FOUR_STARS, Decimal(80), False)
    grading.do_set_band(None, checklist, Grade.THREE_STARS, Decimal(0), True)
    assert make.grade(make.branch(), checklist, 36, 17, 15).grade == Grade.FOUR_STARS
    assert make.grade(make.branch(), checklist, 40, 20, 15).grade == Grade.FIVE_STARS  # 95
    low = make.grade(make.branch(), checklist, 20, 10, 5)
    assert (low.grade, low.lagging) == (Grade.THREE_STARS, True)


def test_regrading_replaces_the_scores_of_the_year():
    checklist = make.checklist()
    branch = make.branch()
    make.grade(branch, checklist, 20, 10, 5)
    again = make.grade(branch, checklist, 36, 17, 15)
    assert BranchGrading.objects.filter(organisation=branch, year=2024).count() == 1
    assert again.scores.count() == 3
    assert again.grade == Grade.GOOD


def test_a_score_above_the_maximum_is_refused():
    checklist = make.checklist()
    with pytest.raises(grading.GradingError) as refused:
        make.grade(make.branch(), checklist, 41, 17, 15)
    assert refused.value.message == "The score of “Organisation building” must be from 0 to 40."
    assert not BranchGrading.objects.exists()


def test_every_indicator_must_be_scored():
    checklist = make.checklist()
    first = checklist.indicators.first()
    entries = {first.pk: grading.ScoreEntry(Decimal(30))}
    with pytest.raises(grading.GradingError) as refused:
        grading.do_save_grading(None, make.branch(), 2024, entries)
    assert refused.value.code == "missing_score"


def test_no_checklist_no_grading():
    make.checklist(year=2024)
    with pytest.raises(grading.GradingError) as refused:
        grading.do_save_grading(None, make.branch(), 2023, {})
    assert refused.value.code == "no_checklist"


def test_a_cooperative_branch_is_not_graded():
    checklist = make.checklist()
    cooperative = make.branch(host_entity=HostEntityFactory())
    with pytest.raises(grading.GradingError):
        make.grade(cooperative, checklist, 36, 17, 15)


def test_a_used_checklist_cannot_change():
    checklist = make.checklist()
    make.grade(make.branch(), checklist, 36, 17, 15)
    with pytest.raises(grading.GradingError) as refused:
        grading.do_add_indicator(None, checklist, "New", Decimal(10))
    assert refused.value.code == "in_use"


def test_the_nearest_checklist_applies():
    county = make.checklist(year=2024)
    assert grading.checklist_for("420222100001", 2024) == county
    assert grading.checklist_for("420222100001", 2023) is None
    assert grading.checklist_for("420281100001", 2024) is None  # another county


def test_counts_per_grade_and_history(insider):
    checklist = make.checklist()
    make.grade(make.branch(), checklist, 36, 17, 15)  # good
    make.grade(make.branch(), checklist, 30, 15, 15)  # good
    make.grade(make.branch(), checklist, 20, 10, 5)  # lagging
    make.branch()  # not graded
    make.branch(region_code="420222101001")  # 富池镇: outside the insider's township
    counts = grading.grade_counts(insider, 2024)
    assert counts == {Grade.GOOD: 2, Grade.LAGGING: 1, "ungraded": 1}


def test_the_grading_page_saves_and_shows_the_history(client_insider):
    checklist = make.checklist()
    branch = make.branch()
    indicators = list(checklist.indicators.all())
    data = {f"score_{i.pk}": s for i, s in zip(indicators, (36, 17, 15), strict=True)}
    data[f"evidence_{indicators[0].pk}"] = "会议记录"
    response = client_insider.post(f"/organisation/grading/branches/{branch.pk}/2024/", data)
    assert response.status_code == 302
    page = client_insider.get(f"/organisation/grading/branches/{branch.pk}/").content.decode()
    assert "85.00" in page and "Good" in page
    assert BranchGrading.objects.get(organisation=branch).scores.first().evidence == "会议记录"


def test_the_live_total_is_computed_without_saving(client_insider):
    checklist = make.checklist()
    branch = make.branch()
    first = checklist.indicators.first()
    response = client_insider.post(
        f"/organisation/grading/branches/{branch.pk}/2024/preview/", {f"score_{first.pk}": "36"}
    )
    body = response.content.decode()
    assert '<strong data-testid="total">36</strong>' in body
    assert "Indicators not scored yet: 2" in body
    assert not BranchGrading.objects.exists()


def test_only_a_county_sets_checklists(client_insider, client_county_admin, county_admin):
    response = client_insider.post(
        "/organisation/grading/checklists/", {"year": 2025, "title": "x"}
    )
    assert response.status_code == 403
    response = client_county_admin.post(
        "/organisation/grading/checklists/", {"year": 2025, "title": "2025 年度"}
    )
    assert response.status_code == 302
    made = grading.checklists_visible(Scope.for_user(county_admin)).get()
    assert (made.region_code, made.year, made.bands.count()) == ("420222", 2025, 4)


def test_weak_village_codes_lists_open_designations_only():
    open_one = make.designation(make.branch(region_code="420222100001"))
    closed = make.designation(make.branch(region_code="420222100002"))
    closed.status = closed.Status.CLOSED
    closed.closed_on = datetime.date(2024, 9, 1)
    closed.save()
    make.designation(make.branch(region_code="420222101001"))  # 富池镇
    assert grading.weak_village_codes("420222100") == {open_one.region_code}
    assert grading.weak_village_codes("420222", year=2023) == set()
    assert grading.weak_village_codes("420222") == {"420222100001", "420222101001"}


def test_counts_per_township_for_the_drill_down(county_admin):
    checklist = make.checklist()
    make.grade(make.branch(region_code="420222100001"), checklist, 36, 17, 15)  # good
    make.grade(make.branch(region_code="420222100002"), checklist, 20, 10, 5)  # lagging
    make.grade(make.branch(region_code="420222101001"), checklist, 40, 20, 12)  # advanced
    by_township = grading.grade_counts_by_child(county_admin, 2024, "420222")
    assert by_township == {
        "420222100": {Grade.GOOD: 1, Grade.LAGGING: 1},
        "420222101": {Grade.ADVANCED: 1},
    }


def test_weak_village_codes_of_a_user_scope(insider, outsider):
    make.designation(make.branch(region_code="420222100001"))
    make.designation(make.branch(region_code="420222101001"))
    assert grading.weak_village_codes(insider) == {"420222100001"}
    assert grading.weak_village_codes(Scope.for_user(outsider)) == set()
