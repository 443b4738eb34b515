"""Factories for the organisation app. Organisations live in real villages of 阳新县
(loaded by the session fixture); the default is a branch of a village of 兴国镇."""

import datetime

import factory
from factory.django import DjangoModelFactory

from baolei.organisation.choices import (
    CommitteePostKind,
    HolderSource,
    HostKind,
    MemberCategory,
    MemberStanding,
    OrganisationKind,
    OrganisationStatus,
)
from baolei.organisation.models import (
    CommitteePost,
    HostEntity,
    HouseholdLink,
    PartyMember,
    PartyOrganisation,
)
from baolei.organisation.services.organisations import credit_check_character
from tests.registry.factories import VILLAGE, HouseholdFactory, PersonFactory

TOWNSHIP = "420222100"  # 兴国镇


def credit_code(n: int) -> str:
    """A valid unified social credit code of a farmer cooperative (93) of 阳新县."""
    first17 = f"93420222MA{n:07d}"
    return first17 + credit_check_character(first17)


class HostEntityFactory(DjangoModelFactory):
    class Meta:
        model = HostEntity

    kind = HostKind.COOPERATIVE
    name = factory.Sequence(lambda n: f"山川台种植专业合作社{n}")
    region_code = VILLAGE
    registration_number = factory.Sequence(lambda n: credit_code(n))
    industry = "种植业"
    size = 20
    founded_year = 2018


class PartyOrganisationFactory(DjangoModelFactory):
    class Meta:
        model = PartyOrganisation

    kind = OrganisationKind.BRANCH
    name = factory.Sequence(lambda n: f"山川台社区第{n}党支部")
    region_code = VILLAGE
    founded_on = datetime.date(2000, 7, 1)
    status = OrganisationStatus.ACTIVE


class PartyMemberFactory(DjangoModelFactory):
    class Meta:
        model = PartyMember

    person = factory.SubFactory(
        PersonFactory, region_code=factory.SelfAttribute("..branch.region_code")
    )
    branch = factory.SubFactory(PartyOrganisationFactory)
    joined_on = datetime.date(2005, 7, 1)
    standing = MemberStanding.FULL
    category = MemberCategory.RESIDENT


class HouseholdLinkFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdLink

    member = factory.SubFactory(PartyMemberFactory)
    household = factory.SubFactory(HouseholdFactory)
    started_on = datetime.date(2023, 1, 1)


class CommitteePostFactory(DjangoModelFactory):
    class Meta:
        model = CommitteePost

    region_code = VILLAGE
    kind = CommitteePostKind.SECRETARY
    person = factory.SubFactory(PersonFactory, region_code=factory.SelfAttribute("..region_code"))
    source = HolderSource.LOCAL_MEMBER
    started_on = datetime.date(2021, 4, 1)
