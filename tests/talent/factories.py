"""Factories for the talent app. Everything lives in 兴国镇 (420222100) unless told:
talent and enrolments in the village 山川台社区居委会, studios and courses hosted by the
township; people get valid, unique ID numbers from the registry's factory."""

import datetime

import factory
from factory.django import DjangoModelFactory

from baolei.talent import choices
from baolei.talent.models import (
    Course,
    Enrolment,
    Expert,
    ServedVillage,
    ServiceRequest,
    Studio,
    Talent,
    TalentStep,
)
from tests.registry.factories import VILLAGE, PersonFactory

TOWNSHIP = "420222100"


class TalentFactory(DjangoModelFactory):
    class Meta:
        model = Talent

    person = factory.SubFactory(PersonFactory, region_code=factory.SelfAttribute("..region_code"))
    region_code = VILLAGE
    source = choices.Source.RURAL_ENTREPRENEUR
    skills = ",crop_farming,"
    stage = choices.Stage.IDENTIFIED


class TalentStepFactory(DjangoModelFactory):
    class Meta:
        model = TalentStep

    talent = factory.SubFactory(TalentFactory)
    stage = choices.Stage.IDENTIFIED
    taken_on = datetime.date(2023, 3, 1)
    what = "村级摸排识别"


class StudioFactory(DjangoModelFactory):
    class Meta:
        model = Studio

    name = factory.Sequence(lambda n: f"兴国镇农业专家工作室{n}")
    kind = choices.StudioKind.AGRICULTURAL_EXPERT
    region_code = TOWNSHIP
    partner_name = "华中农业大学"
    partner_kind = choices.InstitutionKind.UNIVERSITY


class ExpertFactory(DjangoModelFactory):
    class Meta:
        model = Expert

    studio = factory.SubFactory(StudioFactory)
    name = factory.Sequence(lambda n: f"专家{n}")
    title = "教授"
    institution = "华中农业大学"
    speciality = "水稻栽培"


class ServedVillageFactory(DjangoModelFactory):
    class Meta:
        model = ServedVillage

    studio = factory.SubFactory(StudioFactory)
    village_id = VILLAGE


class ServiceRequestFactory(DjangoModelFactory):
    class Meta:
        model = ServiceRequest

    studio = factory.SubFactory(StudioFactory)
    region_code = VILLAGE
    requested_on = datetime.date(2024, 3, 1)
    status_since = factory.SelfAttribute("requested_on")
    need = "水稻病虫害防治指导"
    status = choices.RequestStatus.OPEN


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"2024-XG-{n:02d}")
    title = "电子商务培训班"
    subject = choices.Skill.E_COMMERCE
    organiser = "阳新县农业农村局"
    region_code = TOWNSHIP
    starts_on = datetime.date(2024, 4, 1)
    ends_on = datetime.date(2024, 4, 10)
    capacity = 50
    hours = 40


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    course = factory.SubFactory(CourseFactory)
    person = factory.SubFactory(PersonFactory, region_code=factory.SelfAttribute("..region_code"))
    region_code = VILLAGE
    enrolled_on = datetime.date(2024, 3, 20)
