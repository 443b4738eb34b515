"""Lists sort by a column (`?sort=key`, `?sort=-key`, only the keys a list allows) and say
how many rows they have in all, whatever page is shown."""

import re

import pytest

from tests.registry.factories import HelperFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def rows(response, testid: str) -> list[str]:
    """The first cell of every body row of the table `testid`, as text."""
    page = response.content.decode()
    table = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    cells = re.findall(r"<tr[^>]*>\s*<td[^>]*>(.*?)</td>", body, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def total(response) -> str:
    found = re.search(r'data-testid="total">([^<]*)<', response.content.decode())
    assert found, "the list shows no total"
    return found.group(1).strip()


@pytest.fixture
def helpers(db):
    for name in ["B乙二", "A甲一", "C丙三"]:
        HelperFactory(person__name=name)


def test_helpers_sort_by_name_both_ways(client_county_admin, helpers):
    ascending = rows(client_county_admin.get("/registry/helpers/?sort=name"), "helper-table")
    descending = rows(client_county_admin.get("/registry/helpers/?sort=-name"), "helper-table")
    assert ascending == sorted(ascending) and len(ascending) == 3
    assert descending == list(reversed(ascending))


def test_helper_list_shows_its_total(client_county_admin, helpers):
    assert total(client_county_admin.get("/registry/helpers/")) == "3 in all"


def test_an_unknown_sort_key_is_ignored(client_county_admin, helpers):
    for value in ["nonsense", "-person__id_number", "id);drop", "-"]:
        response = client_county_admin.get("/registry/helpers/", {"sort": value})
        assert response.status_code == 200
        assert rows(response, "helper-table") == sorted(rows(response, "helper-table"))


def test_sort_link_keeps_the_filters_and_toggles(client_county_admin, helpers):
    page = client_county_admin.get("/registry/helpers/?q=A&sort=name&page=1").content.decode()
    link = re.search(r'href="\?([^"]*)"[^>]*>Name', page) or re.search(
        r'data-sort="name" href="\?([^"]*)"', page
    )
    assert link
    query = link.group(1).replace("&amp;", "&")
    assert "sort=-name" in query and "q=" in query and "page=" not in query


# --- party members: a paginated list with filters -----------------------------------------


@pytest.fixture
def members(db):
    from tests.organisation.factories import PartyMemberFactory

    for name in ["B王五", "C赵六", "A李四"]:
        PartyMemberFactory(person__name=name)


def test_members_sort_by_name_and_show_the_total(client_county_admin, members):
    url = "/organisation/members/"
    ascending = rows(client_county_admin.get(url + "?sort=name"), "member-table")
    descending = rows(client_county_admin.get(url + "?sort=-name"), "member-table")
    assert len(ascending) == 3 and ascending == sorted(ascending)
    assert descending == list(reversed(ascending))
    assert total(client_county_admin.get(url + "?sort=-name")) == "3 in all"
    assert client_county_admin.get(url + "?sort=person__id_number").status_code == 200


# --- cadres -----------------------------------------------------------------------------


def test_cadres_sort_by_name_both_ways(client_county_admin):
    from tests.cadres.factories import CadreFactory

    for name in ["C丙", "A甲", "B乙"]:
        CadreFactory(person__name=name)
    ascending = rows(client_county_admin.get("/cadres/list/?sort=name"), "cadre-table")
    descending = rows(client_county_admin.get("/cadres/list/?sort=-name"), "cadre-table")
    assert ascending == sorted(ascending) and descending == list(reversed(ascending))
    assert total(client_county_admin.get("/cadres/list/")) == "3 in all"


# --- the gaps: paged, with short names --------------------------------------------------


def test_the_gaps_are_paged_and_named_by_village_and_township(client_county_admin, monkeypatch):
    from baolei.cadres.services import selection
    from baolei.regions.models import Region

    villages = list(Region.objects.villages().filter(code__startswith="420222").order_by("code"))
    needs = [
        selection.Need(
            village=village,
            weak_branch=index % 2 == 0,
            registered=index,
            monitored=60 - index,
            industry="",
            has_first_secretary=False,
        )
        for index, village in enumerate(villages[:60])
    ]
    monkeypatch.setattr(selection, "gaps", lambda region, year: needs)
    response = client_county_admin.get("/cadres/teams/gaps/")
    page = response.content.decode()
    assert total(response) == "60 in all"
    assert len(rows(response, "gap-table")) == 50
    shown = rows(response, "gap-table")
    assert not any("湖北省" in row for row in shown), shown[0]
    first = villages[0]
    township = Region.objects.get(code=first.code[:9])
    assert first.name in page and township.name in page
    second_page = client_county_admin.get("/cadres/teams/gaps/?page=2")
    assert len(rows(second_page, "gap-table")) == 10
    by_monitored = rows(client_county_admin.get("/cadres/teams/gaps/?sort=-monitored"), "gap-table")
    assert by_monitored[0].startswith(villages[0].name)


def test_the_township_villages_of_the_committees_sort_and_count(client_county_admin):
    from baolei.regions.models import Region

    url = "/organisation/committees/?region=420222100"
    count = Region.objects.children_of("420222100").count()
    ascending = rows(client_county_admin.get(url + "&sort=village"), "village-heads")
    descending = rows(client_county_admin.get(url + "&sort=-village"), "village-heads")
    assert len(ascending) == count and descending == list(reversed(ascending))
    assert total(client_county_admin.get(url)) == f"{count} in all"
