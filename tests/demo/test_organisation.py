"""The demo organisation system of 阳新县: complete, valid, and left alone once made."""

import datetime
import itertools

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from baolei import idnumbers
from baolei.demo import organisation as synthetic
from baolei.organisation.choices import (
    CommitteePostKind,
    MemberCategory,
    MemberStanding,
    OrganisationKind,
    OrganisationStatus,
)
from baolei.organisation.models import (
    CommitteePost,
    HostEntity,
    MemberTransfer,
    PartyMember,
    PartyOrganisation,
)
from baolei.organisation.services import organisations as services
from baolei.regions.models import Region

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


PARTY_POSTS = (
    CommitteePostKind.SECRETARY,
    CommitteePostKind.SECRETARY_AND_CHAIR,
    CommitteePostKind.DEPUTY_SECRETARY,
    CommitteePostKind.PARTY_COMMITTEE_MEMBER,
)


def test_a_few_percent_of_members_were_transferred_with_their_history(demo):
    moved = PartyMember.objects.filter(transfers__isnull=False).distinct()
    assert 0.01 * demo["members"] <= moved.count() <= 0.08 * demo["members"]
    assert demo["transfers"] == MemberTransfer.objects.count()
    twice = 0
    for member in moved.prefetch_related("transfers"):
        history = list(member.transfers.order_by("transferred_on", "id"))
        twice += len(history) > 1
        # A chain, as the transfer form leaves it: from where the last one went, in date
        # order, after joining, ending in the member's branch.
        assert history[-1].to_branch_id == member.branch_id
        assert member.joined_on <= history[0].transferred_on
        for before, after in itertools.pairwise(history):
            assert before.to_branch_id == after.from_branch_id
            assert before.transferred_on <= after.transferred_on
        for transfer in history:
            assert transfer.from_branch_id != transfer.to_branch_id
            assert transfer.transferred_on <= AS_OF and transfer.reason
            assert transfer.recorded_by.endswith(("党委", "组织部")), transfer.recorded_by
    assert twice > 0
    # Into the village branches from other villages, and into the new host branches.
    into = set(MemberTransfer.objects.values_list("to_branch__kind", flat=True))
    assert {OrganisationKind.BRANCH, OrganisationKind.JOINT_BRANCH} <= into
    # The dissolved branch's last members went back to their village.
    dissolved = PartyOrganisation.objects.get(status=OrganisationStatus.DISSOLVED)
    assert not dissolved.members.exists()
    assert MemberTransfer.objects.filter(from_branch=dissolved).exists()


def test_every_active_branch_has_three_full_members_and_the_committees_residents(demo):
    branches = PartyOrganisation.objects.exclude(kind=OrganisationKind.COMMITTEE).filter(
        status=OrganisationStatus.ACTIVE
    )
    full = Count("members", filter=Q(members__standing=MemberStanding.FULL))
    counted = branches.annotate(n=Count("members"), full=full)
    assert counted.filter(host_entity__isnull=False).count() >= 40
    assert counted.filter(kind=OrganisationKind.JOINT_BRANCH).exists()
    assert not counted.filter(full__lt=3).exists()
    # The branches of cooperatives, enterprises and the joint branches have their secretary.
    hosted = counted.filter(Q(host_entity__isnull=False) | Q(kind=OrganisationKind.JOINT_BRANCH))
    assert not hosted.filter(secretary__isnull=True).exists()
    for branch in hosted:
        secretary = PartyMember.objects.get(person=branch.secretary)
        assert secretary.branch == branch and "书记" in secretary.posts
    # The two committees: no migrant or elderly member seated, posts held written.
    posts = CommitteePost.objects.filter(ended_on__isnull=True)
    seated = PartyMember.objects.filter(person__in=posts.values("person"))
    assert seated.count() > 1500
    assert not seated.exclude(category=MemberCategory.RESIDENT).exists()
    assert not seated.filter(posts="").exists()
    # Every party post is held by a full member of the village's own branch.
    party = posts.filter(kind__in=PARTY_POSTS)
    assert not party.filter(person__party_member__isnull=True).exists()
    assert not party.exclude(person__party_member__standing=MemberStanding.FULL).exists()
    assert not party.exclude(person__party_member__branch__region_code=F("region_code")).exists()
    sizes = party.values("region_code").annotate(n=Count("person", distinct=True))
    assert {row["n"] for row in sizes} <= set(range(3, 8))
    assert sizes.count() == 474
    villages = PartyOrganisation.objects.filter(host_entity=None, region_code__regex=r"^\d{12}$")
    for branch in villages:
        secretary = PartyMember.objects.get(person=branch.secretary)
        assert secretary.branch == branch and "书记" in secretary.posts


def test_a_county_with_organisations_is_left_alone(demo, capsys):
    before = PartyOrganisation.objects.count()
    assert not any(synthetic.generate_demo("420222", seed=2, as_of=AS_OF).values())
    call_command("generate_organisation_demo", "--region", "420222")
    assert "left alone" in capsys.readouterr().out
    assert PartyOrganisation.objects.count() == before
