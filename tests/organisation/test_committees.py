"""The two committees: appointing holders (one secretary, one chair at a time) and the
composition indicators of a worked village, computed by hand."""

import datetime

import pytest

from baolei.accounts.scope import Scope
from baolei.organisation.choices import CommitteePostKind, HolderSource
from baolei.organisation.models import CommitteePost
from baolei.organisation.services import committees as services_committees
from baolei.organisation.services import composition as committees
from baolei.organisation.services.common import OrganisationError
from baolei.registry.choices import Education
from tests.organisation.factories import CommitteePostFactory, PartyMemberFactory
from tests.registry.factories import PersonFactory, id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VILLAGE = "420222100001"
OTHER = "420222100002"
DAY = datetime.date(2024, 6, 30)
D = datetime.date
COUNTY = Scope(role="organisation_department", region_code="420222")


def person(n: int, birth: datetime.date, male: bool = True, region: str = VILLAGE):
    return PersonFactory(id_number=id_number(n, birth, male=male), region_code=region)


@pytest.fixture
def worked_village():
    """山川台 (420222100001) on 2024-06-30:

    | person | born       | age | sex | education | post                        | member |
    |--------|------------|-----|-----|-----------|-----------------------------|--------|
    | P1     | 1990-07-01 | 33  | M   | college   | secretary and chair (veteran) | yes  |
    | P2     | 1974-01-01 | 50  | F   | senior    | deputy secretary            | yes    |
    | P2     | (same)     |     |     | college   | committee member            |        |
    | P3     | 1968-06-30 | 56  | M   | junior    | committee member            | no     |
    | P4     | 1960-01-01 | 64  | F   | college   | committee member            | no     |
    | P5     | 1950-01-01 |     | M   |           | chair, term ended 2021      |        |

    Four holders (P2 counted once): ages ≤35: 1, 36–50: 1, 51–60: 1, >60: 1; college:
    P1, P2 (her best recorded), P4 = 3 of 4 = 75%; women: P2, P4 = 50%; members: P1, P2
    = 50%; one-shoulder: yes; the secretary is from a recommended source (veteran).
    """
    p1 = person(1, D(1990, 7, 1))
    p2 = person(2, D(1974, 1, 1), male=False)
    p3 = person(3, D(1968, 6, 30))
    p4 = person(4, D(1960, 1, 1), male=False)
    p5 = person(5, D(1950, 1, 1))
    PartyMemberFactory(person=p1, joined_on=D(2012, 7, 1))
    PartyMemberFactory(person=p2, joined_on=D(2000, 7, 1))
    posts = [
        (p1, CommitteePostKind.SECRETARY_AND_CHAIR, Education.COLLEGE, HolderSource.VETERAN),
        (p2, CommitteePostKind.DEPUTY_SECRETARY, Education.SENIOR, HolderSource.OTHER),
        (p2, CommitteePostKind.VILLAGE_COMMITTEE_MEMBER, Education.COLLEGE, HolderSource.OTHER),
        (p3, CommitteePostKind.VILLAGE_COMMITTEE_MEMBER, Education.JUNIOR, HolderSource.OTHER),
        (p4, CommitteePostKind.VILLAGE_COMMITTEE_MEMBER, Education.COLLEGE, HolderSource.OTHER),
    ]
    for holder, kind, education, source in posts:
        CommitteePostFactory(
            person=holder, kind=kind, education=education, source=source, started_on=D(2021, 4, 1)
        )
    CommitteePostFactory(
        person=p5, kind=CommitteePostKind.CHAIR, started_on=D(2018, 1, 1), ended_on=D(2021, 3, 31)
    )


def test_the_worked_village(worked_village):
    table = committees.composition(COUNTY, "420222100", DAY)
    village = next(row for row in table.rows if row.code == VILLAGE)

    assert village.holders == 4
    assert village.ages == [1, 1, 1, 1]
    assert (village.college, village.college_rate.percent) == (3, 75.0)
    assert (village.women, village.women_rate.percent) == (2, 50.0)
    assert village.member_rate.percent == 50.0
    assert (village.villages, village.one_shoulder, village.one_shoulder_rate.percent) == (
        1,
        1,
        100.0,
    )
    assert (village.secretaries, village.recommended) == (1, 1)


def test_the_township_adds_a_village_with_a_secretary_and_a_separate_chair(worked_village):
    """A second village: a secretary from 'other' sources and another person as chair. Of
    the township's villages (all of them, recorded or not) one has one person in both."""
    CommitteePostFactory(
        region_code=OTHER,
        kind=CommitteePostKind.SECRETARY,
        person=person(6, D(1980, 1, 1), region=OTHER),
        source=HolderSource.OTHER,
    )
    CommitteePostFactory(
        region_code=OTHER, kind=CommitteePostKind.CHAIR, person=person(7, D(1985, 1, 1))
    )
    table = committees.composition(COUNTY, "420222100", DAY)
    total = table.total

    villages_of_xingguo = len(table.rows)
    assert total.villages == villages_of_xingguo and total.villages_recorded == 2
    assert total.one_shoulder == 1
    assert (total.secretaries, total.recommended, total.recommended_rate.percent) == (2, 1, 50.0)
    assert total.holders == 6


def test_secretaries_counted_per_recommended_source(worked_village, client_county_admin):
    """Four villages of 兴国镇 with a secretary each (and one past secretary):

    | village      | secretary's source                       |
    |--------------|------------------------------------------|
    | 420222100001 | veteran (the worked village's P1)        |
    | 420222100002 | rural entrepreneur                       |
    | 420222100003 | returned migrant worker                  |
    | 420222100004 | other (not recommended)                  |
    |              | a local party member, term ended 2023    |

    Secretaries 4: entrepreneur 1 = 25%, veteran 1 = 25%, returned migrant 1 = 25%, local
    party member 0 = 0% (the past term does not count), all recommended 3 = 75%.
    """
    for village, source in (
        (OTHER, HolderSource.ENTREPRENEUR),
        ("420222100003", HolderSource.RETURNED_MIGRANT),
        ("420222100004", HolderSource.OTHER),
    ):
        CommitteePostFactory(region_code=village, kind=CommitteePostKind.SECRETARY, source=source)
    CommitteePostFactory(
        region_code="420222100004",
        kind=CommitteePostKind.SECRETARY,
        source=HolderSource.LOCAL_MEMBER,
        started_on=D(2018, 1, 1),
        ended_on=D(2023, 12, 31),
    )
    total = committees.composition(COUNTY, "420222100", DAY).total

    shares = [(s.source, s.rate.part, s.rate.percent) for s in total.source_rates]
    assert shares == [
        (HolderSource.ENTREPRENEUR, 1, 25.0),
        (HolderSource.VETERAN, 1, 25.0),
        (HolderSource.RETURNED_MIGRANT, 1, 25.0),
        (HolderSource.LOCAL_MEMBER, 0, 0.0),
    ]
    assert (total.secretaries, total.recommended, total.recommended_rate.percent) == (4, 3, 75.0)
    village = next(
        row for row in committees.composition(COUNTY, "420222100", DAY).rows if row.code == VILLAGE
    )
    assert [s.rate.part for s in village.source_rates] == [0, 1, 0, 0]

    # The page and the API show the same figures (today, all these terms still run).
    page = client_county_admin.get("/organisation/committees/?region=420222100").content.decode()
    assert 'data-testid="composition-sources"' in page
    assert "Returned migrant worker" in page and "25.0%" in page
    api = client_county_admin.get("/api/organisation/committees/composition?region=420222100")
    by_source = api.json()[0]["secretaries_by_source"]
    assert by_source == [
        {"source": "entrepreneur", "secretaries": 1, "percent": 25.0},
        {"source": "veteran", "secretaries": 1, "percent": 25.0},
        {"source": "returned_migrant", "secretaries": 1, "percent": 25.0},
        {"source": "local_member", "secretaries": 0, "percent": 0.0},
    ]


def test_one_person_holding_both_posts_separately_counts_as_one_shoulder():
    holder = person(8, D(1978, 1, 1))
    CommitteePostFactory(kind=CommitteePostKind.SECRETARY, person=holder)
    CommitteePostFactory(kind=CommitteePostKind.CHAIR, person=holder)

    village = next(
        row for row in committees.composition(COUNTY, "420222100", DAY).rows if row.code == VILLAGE
    )
    assert (village.one_shoulder, village.holders) == (1, 1)


def test_a_new_secretary_ends_the_current_term_and_the_history_stays(insider):
    first = services_committees.do_appoint_committee_post(
        insider,
        region_code=VILLAGE,
        kind=CommitteePostKind.SECRETARY,
        id_number=id_number(9, D(1970, 1, 1)),
        name="柯国华",
        started_on=D(2018, 4, 1),
    )
    second = services_committees.do_appoint_committee_post(
        insider,
        region_code=VILLAGE,
        kind=CommitteePostKind.SECRETARY_AND_CHAIR,
        id_number=id_number(10, D(1985, 1, 1)),
        name="王建军",
        started_on=D(2021, 4, 1),
        source=HolderSource.RETURNED_MIGRANT,
    )

    first.refresh_from_db()
    assert first.ended_on == D(2021, 4, 1)
    current = CommitteePost.objects.filter(region_code=VILLAGE, ended_on__isnull=True)
    assert list(current) == [second]


def test_appointing_outside_the_scope_or_before_the_current_term_is_refused(insider):
    with pytest.raises(OrganisationError) as outside:
        services_committees.do_appoint_committee_post(
            insider,
            region_code="420222101001",
            kind=CommitteePostKind.CHAIR,
            id_number=id_number(11, D(1970, 1, 1)),
            name="王一",
            started_on=D(2021, 4, 1),
        )
    assert outside.value.code == "out_of_scope"
    CommitteePostFactory(kind=CommitteePostKind.CHAIR, started_on=D(2021, 4, 1))
    with pytest.raises(OrganisationError) as earlier:
        services_committees.do_appoint_committee_post(
            insider,
            region_code=VILLAGE,
            kind=CommitteePostKind.CHAIR,
            id_number=id_number(12, D(1970, 1, 1)),
            name="王二",
            started_on=D(2020, 1, 1),
        )
    assert earlier.value.field == "started_on"
