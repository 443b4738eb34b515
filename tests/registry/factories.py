"""Factories for the registry. Households live in real villages of 阳新县 (loaded by the
session fixture); people get valid, unique resident ID numbers."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from baolei import idnumbers
from baolei.regions.models import Region
from baolei.registry import choices
from baolei.registry.models import (
    Helper,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Pairing,
    Person,
    Visit,
)

VILLAGE = "420222100001"  # 山川台社区居委会, 兴国镇
NEIGHBOUR_VILLAGE = "420222101001"  # 富池口社区居委会, 富池镇


def id_number(n: int, birth: datetime.date = datetime.date(1980, 1, 1), male: bool = True) -> str:
    """A valid 18-character number, unique per `n` (below 500 per birth date and sex)."""
    sequence = (n % 500) * 2 + (1 if male else 0)
    first17 = f"420222{birth:%Y%m%d}{sequence:03d}"
    return first17 + idnumbers.check_character(first17)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        n = factory.Sequence(lambda n: n)

    # Five hundred numbers per birth date and sex: the default date moves on a day every
    # five hundred people; a date a test asks for is kept, since the test counts on it.
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(1980, 1, 1) + datetime.timedelta(days=o.n // 500)
    )
    sex = choices.Sex.MALE
    id_number = factory.LazyAttribute(
        lambda o: id_number(o.n, o.birth_date, o.sex == choices.Sex.MALE)
    )
    name = factory.Sequence(lambda n: f"村民{n}")
    region_code = VILLAGE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The ID number decides the birth date and the sex, as it does in the register.
        parsed = idnumbers.validate(kwargs["id_number"])
        kwargs["birth_date"] = parsed.birth_date
        kwargs["sex"] = parsed.sex
        return super()._create(model_class, *args, **kwargs)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    number = factory.Sequence(lambda n: f"4202221000010{n:05d}")
    village = factory.LazyFunction(lambda: Region.objects.get(code=VILLAGE))
    address = "兴国镇山川台"
    registered_poor = True
    attribute = choices.HouseholdAttribute.ORDINARY
    identification_year = 2014
    status = choices.PovertyStatus.LIFTED_WITH_POLICY
    status_since = datetime.date(2019, 12, 1)
    main_cause = choices.PovertyCause.ILLNESS
    housing_safety = choices.HousingSafety.SAFE


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(
        PersonFactory, region_code=factory.SelfAttribute("..household.village_id")
    )
    relation = choices.Relation.HEAD
    labour_capacity = choices.LabourCapacity.ORDINARY


class HouseholdYearFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdYear
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    year = 2020
    wages = Decimal("12000")
    production_business = Decimal("3000")
    property_income = Decimal("0")
    transfers = Decimal("1500")
    production_costs = Decimal("500")
    member_count = 3
    food = True
    clothing = True
    compulsory_education = True
    basic_medical = True
    housing_safety = True
    drinking_water = True

    @factory.post_generation
    def per_capita(obj, create, extracted, **kwargs):
        obj.per_capita_net_income = obj.compute_per_capita()
        if create:
            obj.save(update_fields=["per_capita_net_income"])


class HelperFactory(DjangoModelFactory):
    class Meta:
        model = Helper

    person = factory.SubFactory(PersonFactory, region_code="420222")
    unit = "阳新县农业农村局"
    post = "科员"
    region_code = "420222"


class PairingFactory(DjangoModelFactory):
    class Meta:
        model = Pairing

    helper = factory.SubFactory(HelperFactory)
    household = factory.SubFactory(HouseholdFactory)
    started_on = datetime.date(2021, 1, 1)


class MonitoringCaseFactory(DjangoModelFactory):
    class Meta:
        model = MonitoringCase

    household = factory.SubFactory(HouseholdFactory)
    monitoring_type = choices.MonitoringType.UNSTABLE
    route = choices.IdentificationRoute.CADRE_SCREENING
    status = choices.CaseStatus.MONITORED
    opened_on = datetime.date(2022, 3, 1)
    identified_on = datetime.date(2022, 3, 20)


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = Visit

    household = factory.SubFactory(HouseholdFactory)
    visited_on = datetime.date(2024, 5, 1)
    findings = "生活正常"
