"""The organisation pages as a township officer of 兴国镇 uses them: lists with filters and
drill-down, the forms (whose refusals come back on the field), exports masked unless the
role may see personal data."""

import datetime
import io

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from baolei import idnumbers
from baolei.audit.models import Action, AuditEvent
from baolei.organisation.choices import CommitteePostKind, OrganisationStatus
from baolei.organisation.models import (
    CommitteePost,
    HostEntity,
    HouseholdLink,
    PartyMember,
    PartyOrganisation,
)
from tests.organisation.factories import (
    CommitteePostFactory,
    HostEntityFactory,
    HouseholdLinkFactory,
    PartyMemberFactory,
    PartyOrganisationFactory,
    credit_code,
)
from tests.registry.factories import HouseholdFactory, id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VILLAGE = "420222100001"
D = datetime.date


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def sheet_rows(response) -> list[list]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return workbook.get_sheet_by_index(0).to_python()


def test_the_overview_counts_the_scope(client_insider):
    branch = PartyOrganisationFactory()
    PartyMemberFactory.create_batch(3, branch=branch)
    PartyMemberFactory(branch=PartyOrganisationFactory(region_code="420222101001"))

    html = page(client_insider.get("/organisation/"))

    assert 'data-testid="organisation-count">1<' in html  # 富池镇's is not in the scope
    assert 'data-testid="member-count">3<' in html


def test_the_organisation_list_filters_by_kind_status_and_region(client_insider):
    PartyOrganisationFactory(name="活跃支部")
    PartyOrganisationFactory(name="撤销支部", status=OrganisationStatus.DISSOLVED)
    PartyOrganisationFactory(name="二村支部", region_code="420222100002")

    everything = page(client_insider.get("/organisation/organisations/"))
    dissolved = page(client_insider.get("/organisation/organisations/?status=dissolved"))
    village_2 = page(client_insider.get("/organisation/organisations/?region=420222100002"))

    assert all(name in everything for name in ("活跃支部", "撤销支部", "二村支部"))
    assert "撤销支部" in dissolved and "活跃支部" not in dissolved
    assert "二村支部" in village_2 and "活跃支部" not in village_2


def test_creating_an_organisation_through_the_form(client_insider):
    response = client_insider.post(
        "/organisation/organisations/new/",
        {
            "kind": "branch",
            "name": "中共山川台社区第二支部委员会",
            "region_code": VILLAGE,
            "secretary_id_number": id_number(1, D(1975, 1, 1)),
            "secretary_name": "柯建华",
            "founded_on": "2001-07-01",
        },
    )

    organisation = PartyOrganisation.objects.get(name="中共山川台社区第二支部委员会")
    assert response.status_code == 302
    assert response["Location"] == f"/organisation/organisations/{organisation.pk}/"
    assert organisation.secretary.name == "柯建华"


def test_a_refusal_comes_back_on_the_field(client_insider):
    html = page(
        client_insider.post(
            "/organisation/organisations/new/",
            {"kind": "branch", "name": "富池支部", "region_code": "420222101001"},
        )
    )
    assert "This region is outside your scope." in html
    assert not PartyOrganisation.objects.filter(name="富池支部").exists()


def test_changing_the_status_through_the_form_keeps_the_history(client_insider):
    organisation = PartyOrganisationFactory()
    today = timezone.localdate().isoformat()

    client_insider.post(
        f"/organisation/organisations/{organisation.pk}/status/",
        {"to_status": "dissolved", "changed_on": today, "reason": "村庄撤并"},
    )

    detail = page(client_insider.get(f"/organisation/organisations/{organisation.pk}/"))
    assert PartyOrganisation.objects.get(pk=organisation.pk).status == "dissolved"
    assert "村庄撤并" in detail


def test_host_entities_list_their_coverage(client_insider):
    covered = HostEntityFactory(name="有支部的合作社")
    PartyOrganisationFactory(host_entity=covered)
    HostEntityFactory(name="没有支部的合作社")

    html = page(client_insider.get("/organisation/hosts/?covered=no"))

    assert "没有支部的合作社" in html and "有支部的合作社" not in html.replace(
        "没有支部的合作社", ""
    )


def test_creating_a_cooperative_through_the_form(client_insider):
    response = client_insider.post(
        "/organisation/hosts/new/",
        {
            "kind": "cooperative",
            "name": "山川台油茶专业合作社",
            "region_code": VILLAGE,
            "registration_number": credit_code(99),
            "size": "25",
        },
    )
    assert response.status_code == 302
    assert HostEntity.objects.get(registration_number=credit_code(99)).size == 25


def test_the_coverage_page_shows_rates_and_the_uncovered(client_insider):
    HostEntityFactory(name="大合作社", size=200)
    PartyOrganisationFactory(host_entity=HostEntityFactory(name="小合作社", size=5))

    html = page(client_insider.get("/organisation/coverage/"))

    assert "50.0%" in html  # one of the two
    assert "大合作社" in html.split('data-testid="uncovered-table"')[1]
    assert "小合作社" not in html.split('data-testid="uncovered-table"')[1]


def test_members_are_listed_masked_for_a_township_officer(client_insider):
    member = PartyMemberFactory()
    number = member.person.id_number

    html = page(client_insider.get("/organisation/members/"))

    assert idnumbers.mask(number) in html and number not in html


def test_joining_transferring_and_linking_through_the_forms(client_insider):
    branch = PartyOrganisationFactory(name="一支部")
    other = PartyOrganisationFactory(name="二支部")
    household = HouseholdFactory()
    number = id_number(5, D(1980, 2, 2))

    client_insider.post(
        "/organisation/members/new/",
        {
            "id_number": number,
            "name": "王建国",
            "branch": branch.pk,
            "joined_on": "2005-07-01",
            "standing": "full",
            "category": "resident",
        },
    )
    member = PartyMember.objects.get(person__id_number=number)
    client_insider.post(
        f"/organisation/members/{member.pk}/transfer/",
        {"to_branch": other.pk, "transferred_on": "2020-01-01", "reason": "工作调动"},
    )
    client_insider.post(
        f"/organisation/members/{member.pk}/links/new/",
        {"household_number": household.number, "started_on": "2023-01-01"},
    )

    member.refresh_from_db()
    assert member.branch == other
    assert HouseholdLink.objects.get().household == household
    detail = page(client_insider.get(f"/organisation/members/{member.pk}/"))
    assert "一支部 → 二支部" in detail and household.number in detail


def test_ending_a_link(client_insider):
    link = HouseholdLinkFactory()
    client_insider.post(f"/organisation/links/{link.pk}/end/")
    assert HouseholdLink.objects.get(pk=link.pk).ended_on == timezone.localdate()


def test_the_two_committees_of_a_village_and_its_forms(client_insider):
    CommitteePostFactory(person__name="柯书记")

    client_insider.post(
        f"/organisation/committees/{VILLAGE}/posts/new/",
        {
            "kind": "chair",
            "id_number": id_number(6, D(1982, 3, 3)),
            "name": "王主任",
            "source": "veteran",
            "started_on": "2021-04-01",
        },
    )
    client_insider.post(
        f"/organisation/committees/{VILLAGE}/elections/new/",
        {"held_on": "2021-03-20", "kind": "general"},
    )
    html = page(client_insider.get(f"/organisation/committees/{VILLAGE}/"))

    assert "柯书记" in html and "王主任" in html and "2021-03-20" in html
    post = CommitteePost.objects.get(kind=CommitteePostKind.CHAIR)
    client_insider.post(f"/organisation/committee-posts/{post.pk}/end/")
    assert CommitteePost.objects.get(pk=post.pk).ended_on == timezone.localdate()


def test_the_composition_page_lists_the_villages_of_a_township(client_insider):
    CommitteePostFactory(kind=CommitteePostKind.SECRETARY_AND_CHAIR, person__name="柯一肩")

    html = page(client_insider.get("/organisation/committees/?region=420222100"))

    assert "柯一肩" in html  # in the villages' table, as secretary and as chair
    assert html.count("柯一肩") == 2


def test_the_member_export_is_masked_unless_permitted(client_insider, client_county_admin):
    member = PartyMemberFactory(person__name="柯秀英")
    number = member.person.id_number

    masked = sheet_rows(client_insider.get("/organisation/members/export/"))
    full = sheet_rows(client_county_admin.get("/organisation/members/export/"))

    assert masked[0][:2] == ["姓名", "身份证号"]
    assert masked[1][:2] == ["柯秀英", idnumbers.mask(number)]
    assert full[1][:2] == ["柯秀英", number]
    event = AuditEvent.objects.filter(action=Action.EXPORT).order_by("pk").first()
    assert event.extra["masked"] is True


def test_the_organisation_and_cooperative_exports_read_back_as_their_sheets(client_insider):
    entity = HostEntityFactory(name="山川台茶叶专业合作社")
    PartyOrganisationFactory(name="中共山川台茶叶专业合作社支部委员会", host_entity=entity)

    organisations = sheet_rows(client_insider.get("/organisation/organisations/export/"))
    hosts = sheet_rows(client_insider.get("/organisation/hosts/export/?format=xlsx"))

    assert organisations[1][:3] == [VILLAGE, "中共山川台茶叶专业合作社支部委员会", "党支部"]
    assert organisations[1][4] == entity.registration_number and organisations[1][-1] == "正常"
    assert hosts[1][:3] == [entity.registration_number, "山川台茶叶专业合作社", "农民专业合作社"]


def test_editing_an_organisation_and_an_entity(client_insider):
    organisation = PartyOrganisationFactory(name="旧名支部")
    entity = HostEntityFactory(name="旧名合作社", size=10)

    client_insider.post(
        f"/organisation/organisations/{organisation.pk}/edit/",
        {"kind": "general_branch", "name": "新名党总支", "region_code": VILLAGE},
    )
    client_insider.post(
        f"/organisation/hosts/{entity.pk}/edit/",
        {
            "kind": "cooperative",
            "name": "新名合作社",
            "region_code": VILLAGE,
            "registration_number": entity.registration_number,
            "size": "60",
        },
    )

    organisation.refresh_from_db()
    entity.refresh_from_db()
    assert (organisation.name, organisation.kind) == ("新名党总支", "general_branch")
    assert (entity.name, entity.size) == ("新名合作社", 60)
    edit_page = page(client_insider.get(f"/organisation/hosts/{entity.pk}/edit/"))
    assert entity.registration_number in edit_page
