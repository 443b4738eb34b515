"""The demo organisation system of 阳新县: complete, valid, and left alone once made."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count

from baolei.organisation import services, synthetic
from baolei.organisation.choices import OrganisationKind, OrganisationStatus
from baolei.organisation.models import CommitteePost, HostEntity, PartyMember, PartyOrganisation
from baolei.regions.models import Region
from baolei.registry import idnumbers

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 6, 30)


@pytest.fixture
def demo():
    return synthetic.generate_demo("420222", seed=1, as_of=AS_OF)


def test_every_township_has_a_committee_and_every_village_a_branch(demo):
    villages = set(
        Region.objects.villages().filter(code__startswith="420222").values_list("code", flat=True)
    )
    townships = {code[:9] for code in villages}
    organisations = PartyOrganisation.objects.filter(host_entity__isnull=True)

    committees = organisations.filter(kind=OrganisationKind.COMMITTEE)
    assert set(committees.values_list("region_code", flat=True)) == townships | {"420222"}
    village_branches = organisations.filter(region_code__in=villages)
    assert set(village_branches.values_list("region_code", flat=True)) == villages
    assert village_branches.filter(parent__region_code__in=townships).count() == len(villages)
    assert len(villages) == 474


def test_members_are_valid_adults_and_fifteen_to_forty_a_village(demo):
    per_branch = (
        PartyMember.objects.filter(branch__region_code__regex=r"^\d{12}$", branch__host_entity=None)
        .values("branch")
        .annotate(n=Count("pk"))
    )
    assert {row["n"] for row in per_branch} <= set(range(15, 41))
    for member in PartyMember.objects.select_related("person")[:500]:
        idnumbers.validate(member.person.id_number)
        assert idnumbers.age_on(member.person.birth_date, member.joined_on) >= 18
        assert member.joined_on <= AS_OF
    assert demo["members"] == PartyMember.objects.count()


def test_cooperatives_have_valid_codes_and_some_coverage(demo):
    for number in HostEntity.objects.exclude(registration_number="").values_list(
        "registration_number", flat=True
    ):
        assert services.validate_credit_code(number) == number
    assert PartyOrganisation.objects.filter(kind=OrganisationKind.JOINT_BRANCH).exists()
    assert PartyOrganisation.objects.filter(status=OrganisationStatus.DISSOLVED).count() == 1
    assert HostEntity.objects.filter(kind="cooperative").count() >= 200


def test_every_village_has_one_secretary_in_post(demo):
    secretaries = CommitteePost.objects.filter(
        kind__in=["secretary", "secretary_and_chair"], ended_on__isnull=True
    )
    assert secretaries.values("region_code").distinct().count() == 474
    assert secretaries.count() == 474


def test_a_county_with_organisations_is_left_alone(demo, capsys):
    before = PartyOrganisation.objects.count()
    assert not any(synthetic.generate_demo("420222", seed=2, as_of=AS_OF).values())
    call_command("generate_organisation_demo", "--region", "420222")
    assert "left alone" in capsys.readouterr().out
    assert PartyOrganisation.objects.count() == before
