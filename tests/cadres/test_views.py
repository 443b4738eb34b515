"""The cadre pages: list, file, forms; disciplinary records only for the roles that may
see them; the ranking page and the decisions recorded from it; the leader pool."""

import datetime
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from baolei.audit.models import Action, AuditEvent
from baolei.cadres.choices import AchievementKind, DevelopmentStep, IncentiveKind
from baolei.cadres.models import Cadre, IncentiveDecision, LeaderCandidate
from tests.cadres.factories import (
    AchievementFactory,
    AssessmentFactory,
    CadreFactory,
    DisciplinaryRecordFactory,
    LeaderCandidateFactory,
    LeaderDevelopmentFactory,
)
from tests.registry.factories import VILLAGE, HouseholdFactory, id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SANCTION = "违反工作纪律，给予警告"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sanctioned():
    cadre = CadreFactory(person__name="受处分干部")
    DisciplinaryRecordFactory(
        cadre=cadre,
        decided_on=datetime.date.today() - datetime.timedelta(days=30),
        ends_on=None,
        description=SANCTION,
    )
    return cadre


def body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode()


def workbook_rows(response) -> list[list]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return sheet.get_sheet_by_index(0).to_python()


# --- disciplinary records: only with VIEW_DISCIPLINE ----------------------------------------


def test_the_township_officer_sees_no_disciplinary_record_nor_that_there_is_one(
    client_insider, sanctioned
):
    page = body(client_insider.get(f"/cadres/{sanctioned.pk}/"))
    assert "受处分干部" in page
    assert SANCTION not in page and "Disciplinary records" not in page
    listing = body(client_insider.get("/cadres/list/"))
    assert "受处分干部" in listing and "Sanction in effect" not in listing
    ranking = body(client_insider.get("/cadres/ranking/"))
    assert "受处分干部" in ranking and "Sanction in effect" not in ranking
    assert client_insider.get(f"/cadres/{sanctioned.pk}/discipline/new/").status_code == 403


def test_the_organisation_department_sees_the_record_and_the_flag(client_county_admin, sanctioned):
    page = body(client_county_admin.get(f"/cadres/{sanctioned.pk}/"))
    assert SANCTION in page
    listing = body(client_county_admin.get("/cadres/list/"))
    assert "Sanction in effect" in listing


def test_the_export_has_a_discipline_column_only_for_those_who_may_see_it(
    client_insider, client_county_admin, sanctioned
):
    rows = workbook_rows(client_insider.get("/cadres/list/export/"))
    assert "处分影响期内" not in rows[0]
    assert rows[1][0] == "受处分干部"
    masked = rows[1][1]
    assert masked.startswith("420222") and masked.endswith(sanctioned.person.id_number[-4:])
    assert sanctioned.person.id_number not in str(rows)
    expired = CadreFactory(person__name="期满干部")
    DisciplinaryRecordFactory(
        cadre=expired, decided_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1)
    )
    rows = workbook_rows(client_county_admin.get("/cadres/list/export/"))
    assert rows[0][-1] == "处分影响期内"
    flags = {row[0]: row[-1] for row in rows[1:]}
    assert flags == {"受处分干部": "是", "期满干部": "否"}  # the measure of 2020 has ended
    assert sanctioned.person.id_number in [row[1] for row in rows]  # may see personal data
    exports = AuditEvent.objects.filter(action=Action.EXPORT, model="cadres.cadre")
    assert exports.count() == 2


def test_the_ranking_export_hides_discipline_too(client_insider, client_county_admin, sanctioned):
    rows = workbook_rows(client_insider.get("/cadres/ranking/export/"))
    assert rows[0][:6] == ["排名", "姓名", "身份证号", "工作单位", "职务", "得分"]
    assert "处分影响期内" not in rows[0]
    rows = workbook_rows(client_county_admin.get("/cadres/ranking/export/?format=xlsx"))
    assert rows[0][-1] == "处分影响期内" and rows[1][-1] == "是"


def test_the_api_hides_discipline_without_the_permission(client, insider, county_admin, sanctioned):
    from tests.factories import ApiTokenFactory
    from tests.helpers import bearer

    mine = bearer(ApiTokenFactory(user=insider).key)
    url = f"/api/cadres/cadres/{sanctioned.pk}"
    data = client.get(url, headers=mine).json()
    assert data["sanction_in_effect"] is None
    assert "*" in data["id_number"]
    assert client.get(f"{url}/disciplinary-records", headers=mine).status_code == 403
    ranking = client.get("/api/cadres/ranking", headers=mine).json()
    assert ranking["items"][0]["sanction_in_effect"] is None
    theirs = bearer(ApiTokenFactory(user=county_admin).key)
    assert client.get(url, headers=theirs).json()["sanction_in_effect"] is True
    records = client.get(f"{url}/disciplinary-records", headers=theirs).json()
    assert [record["description"] for record in records] == [SANCTION]


# --- the list and the forms ------------------------------------------------------------------


def test_the_list_filters_by_rank_and_searches_by_name(client_insider):
    CadreFactory(person__name="张科员", rank="staff_member")
    CadreFactory(person__name="李副科", rank="deputy_section")
    page = body(client_insider.get("/cadres/list/?rank=deputy_section"))
    assert "李副科" in page and "张科员" not in page
    page = body(client_insider.get("/cadres/list/?q=张"))
    assert "张科员" in page and "李副科" not in page


def test_a_cadre_is_created_on_the_registers_person_and_linked_to_their_helper(client_insider):
    from tests.registry.factories import HelperFactory

    helper = HelperFactory(region_code="420222100", person__name="王帮扶")
    response = client_insider.post(
        "/cadres/new/",
        {
            "name": "王帮扶",
            "id_number": helper.person.id_number,
            "region_code": "420222100",
            "unit": "兴国镇人民政府",
            "post": "副镇长",
            "rank": "deputy_section",
            "political_status": "party_member",
            "education": "undergraduate",
            "work_started_on": "2008-09-01",
        },
    )
    cadre = Cadre.objects.get()
    assert response.status_code == 302 and response.url == f"/cadres/{cadre.pk}/"
    assert cadre.person == helper.person and cadre.helper == helper


def test_a_cadre_outside_the_scope_is_refused_on_the_form(client_insider):
    response = client_insider.post(
        "/cadres/new/",
        {
            "name": "越界",
            "id_number": id_number(321),
            "region_code": "420222101",
            "unit": "富池镇",
            "rank": "staff_member",
            "political_status": "masses",
            "education": "college",
        },
    )
    assert response.status_code == 200
    assert "This region is outside your scope." in body(response)
    assert not Cadre.objects.exists()


def test_an_achievement_is_entered_with_evidence_and_shown(client_insider):
    cadre = CadreFactory()
    household = HouseholdFactory()
    response = client_insider.post(
        f"/cadres/{cadre.pk}/achievements/new/",
        {
            "kind": "project",
            "title": "茶叶合作社建成",
            "region_code": VILLAGE,
            "household": household.number,
            "achieved_on": "2024-04-01",
            "quantity": "1",
            "evidence": "验收报告 2024-12 号",
        },
    )
    assert response.status_code == 302
    item = cadre.achievements.get()
    assert item.household == household and item.recorded_by.username == "insider"
    assert "茶叶合作社建成" in body(client_insider.get(f"/cadres/{cadre.pk}/"))


def test_a_visit_cannot_be_entered_by_hand(client_insider):
    cadre = CadreFactory()
    response = client_insider.post(
        f"/cadres/{cadre.pk}/achievements/new/",
        {
            "kind": "visit",
            "title": "走访",
            "region_code": VILLAGE,
            "achieved_on": "2024-04-01",
            "quantity": "1",
            "evidence": "x",
        },
    )
    assert response.status_code == 200 and not cadre.achievements.exists()


def test_an_assessment_is_saved_once_a_year(client_insider):
    cadre = CadreFactory()
    for score in ("88", "91.5"):
        response = client_insider.post(
            f"/cadres/{cadre.pk}/assessments/new/",
            {"year": "2024", "score": score, "grade": "excellent"},
        )
        assert response.status_code == 302
    assert list(cadre.assessments.values_list("year", "score")) == [(2024, Decimal("91.50"))]


# --- the ranking and decisions ---------------------------------------------------------------


def test_the_ranking_page_explains_each_rank(client_insider):
    first = CadreFactory(person__name="第一名")
    AchievementFactory(cadre=first, kind=AchievementKind.PROJECT, achieved_on=datetime.date.today())
    AssessmentFactory(cadre=first, year=datetime.date.today().year - 1, score=Decimal("90"))
    CadreFactory(person__name="第二名")
    page = body(client_insider.get("/cadres/ranking/"))
    assert page.index("第一名") < page.index("第二名")
    # 1 project × 6 = 6 and 90 × 0.5 = 45: 51.00.
    assert "51.00" in page and "Project delivered: 1 × 6 = 6.00" in page


def test_a_decision_freezes_the_score_and_its_explanation(client_insider):
    cadre = CadreFactory()
    AssessmentFactory(cadre=cadre, year=datetime.date.today().year, score=Decimal("80"))
    response = client_insider.post(
        f"/cadres/{cadre.pk}/decisions/new/?w_assessment=1",
        {
            "kind": "commended",
            "decided_on": datetime.date.today().isoformat(),
            "decided_by": "中共兴国镇委员会",
        },
    )
    assert response.status_code == 302
    decision = IncentiveDecision.objects.get()
    assert decision.kind == IncentiveKind.COMMENDED
    assert decision.basis["score"] == "80.00"  # weight 1 for the assessment, from the page
    assert decision.basis["weights"]["assessment"] == "1"
    assert decision.basis["rank"] == 1
    # Later changes do not change what the decision was based on.
    cadre.assessments.update(score=Decimal("60"))
    decision.refresh_from_db()
    assert decision.basis["score"] == "80.00"


# --- the leader pool -------------------------------------------------------------------------


def test_the_pool_counts_per_village_and_source(client_insider):
    LeaderCandidateFactory(source="veteran")
    LeaderCandidateFactory(source="veteran")
    LeaderCandidateFactory(source="entrepreneur", region_code="420222100002")
    LeaderCandidateFactory(source="veteran", region_code="420222101001")  # 富池镇
    page = body(client_insider.get("/cadres/leaders/"))
    table = page[
        page.index('data-testid="leader-counts"') : page.index('data-testid="leader-table"')
    ]
    # Columns: entrepreneur, veteran, returned migrant, local party member, other, total.
    assert "<td>0</td><td>2</td><td>0</td><td>0</td><td>0</td><td><strong>2</strong>" in table
    assert "<td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td><strong>1</strong>" in table
    assert "420222101001" not in table  # another township: outside the officer's scope


def test_a_person_is_added_to_the_pool_and_develops(client_insider):
    response = client_insider.post(
        "/cadres/leaders/new/",
        {
            "name": "退伍老兵",
            "id_number": id_number(322),
            "region_code": VILLAGE,
            "category": "candidate",
            "source": "veteran",
            "party_member": "on",
            "education": "secondary",
            "identified_on": "2024-01-10",
        },
    )
    candidate = LeaderCandidate.objects.get()
    assert response.status_code == 302
    response = client_insider.post(
        f"/cadres/leaders/{candidate.pk}/steps/new/", {"step": "trained", "done_on": "2024-05-01"}
    )
    assert response.status_code == 302
    refused = client_insider.post(
        f"/cadres/leaders/{candidate.pk}/steps/new/", {"step": "tested", "done_on": "2024-02-01"}
    )
    assert refused.status_code == 200
    steps = list(candidate.steps.values_list("step", "done_on"))
    assert steps == [
        (DevelopmentStep.IDENTIFIED, datetime.date(2024, 1, 10)),
        (DevelopmentStep.TRAINED, datetime.date(2024, 5, 1)),
    ]
    page = body(client_insider.get(f"/cadres/leaders/{candidate.pk}/"))
    assert page.index("Identified") < page.index("Trained")


def test_the_overview_counts(client_insider):
    CadreFactory()
    LeaderDevelopmentFactory()
    page = body(client_insider.get("/cadres/"))
    assert 'data-testid="cadre-count">1<' in page
    assert 'data-testid="candidate-count">1<' in page
    assert 'data-testid="teams-summary"' in page  # the teams part of the overview


def test_an_evidence_file_is_kept_with_the_achievement(client_insider, client_neighbour):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cadre = CadreFactory()
    upload = SimpleUploadedFile("验收单.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    response = client_insider.post(
        f"/cadres/{cadre.pk}/achievements/new/",
        {
            "kind": "other",
            "title": "组织技能培训班",
            "region_code": VILLAGE,
            "achieved_on": "2024-04-01",
            "quantity": "1",
            "evidence": "",
            "evidence_file": upload,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    item = cadre.achievements.get()
    assert item.evidence_file.read() == b"%PDF-1.4 evidence"
    page = body(client_insider.get(f"/cadres/{cadre.pk}/"))
    assert f"/cadres/achievements/{item.pk}/evidence/" in page
    download = client_insider.get(f"/cadres/achievements/{item.pk}/evidence/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    assert client_neighbour.get(f"/cadres/achievements/{item.pk}/evidence/").status_code == 404
    event = AuditEvent.objects.filter(model="cadres.achievement").get()
    # The audit trail names the file that was kept; its bytes stay in the file store.
    assert event.changes["evidence_file"] == [None, item.evidence_file.name]
    assert event.changes["title"][1] == "组织技能培训班"


def test_the_county_sees_the_pool_per_township_and_drills_down(client_county_admin):
    LeaderCandidateFactory(source="veteran")  # 兴国镇
    LeaderCandidateFactory(source="veteran", region_code="420222100002")  # 兴国镇
    LeaderCandidateFactory(source="other", region_code="420222101001")  # 富池镇
    page = body(client_county_admin.get("/cadres/leaders/"))
    table = page[
        page.index('data-testid="leader-counts"') : page.index('data-testid="leader-table"')
    ]
    assert "region=420222100" in table and "region=420222101" in table
    assert "<td>0</td><td>2</td><td>0</td><td>0</td><td>0</td><td><strong>2</strong>" in table
    assert "region=420222100001" not in table  # townships, not villages, at the county
    page = body(client_county_admin.get("/cadres/leaders/?region=420222100"))
    table = page[
        page.index('data-testid="leader-counts"') : page.index('data-testid="leader-table"')
    ]
    assert "region=420222100001" in table and "region=420222100002" in table
    assert "420222101" not in table


def test_the_cadre_page_shows_the_computed_rows_of_the_period_asked(client_insider):
    from tests.registry.factories import HelperFactory, PairingFactory, VisitFactory

    helper = HelperFactory(region_code="420222100")
    cadre = CadreFactory(person=helper.person, helper=helper)
    household = HouseholdFactory(number="420222100001077")
    PairingFactory(helper=helper, household=household, started_on=datetime.date(2021, 1, 1))
    VisitFactory(household=household, helper=helper, visited_on=datetime.date(2021, 6, 1))
    VisitFactory(
        household=HouseholdFactory(number="420222100001088", village_id="420222101001"),
        helper=helper,
        visited_on=datetime.date(2021, 7, 1),
    )  # a household of 富池镇: outside the officer's scope, not listed
    page = body(client_insider.get(f"/cadres/{cadre.pk}/"))
    computed = page[page.index('data-testid="computed-achievements"') :]
    assert "420222100001077" not in computed  # 2021 is before the default period
    page = body(client_insider.get(f"/cadres/{cadre.pk}/?start=2021-01-01&end=2021-12-31"))
    computed = page[page.index('data-testid="computed-achievements"') :]
    assert "420222100001077" in computed and "Visit made" in computed
    assert "420222100001088" not in computed


def test_a_reserve_becomes_a_candidate_for_secretary(client_insider):
    candidate = LeaderCandidateFactory(category="reserve", occupation="种植大户")
    response = client_insider.post(
        f"/cadres/leaders/{candidate.pk}/edit/",
        {
            "region_code": candidate.region_code,
            "category": "candidate",
            "source": candidate.source,
            "party_member": "on",
            "education": candidate.education,
            "occupation": "合作社理事长",
        },
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.category, candidate.occupation) == ("candidate", "合作社理事长")
    moved = client_insider.post(
        f"/cadres/leaders/{candidate.pk}/edit/",
        {
            "region_code": "420222101001",
            "category": "candidate",
            "source": candidate.source,
            "education": candidate.education,
        },
    )
    assert moved.status_code == 200 and "This region is outside your scope." in body(moved)
    candidate.refresh_from_db()
    assert candidate.region_code == VILLAGE
