"""The talent demo: talent in every township with every source and stage, two studios
with requests in every state, courses with completions; a county with talent is left
alone."""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction

from baolei.demo import talent as synthetic
from baolei.regions.models import Region
from baolei.talent.choices import RequestStatus, Source, Stage, StudioKind
from baolei.talent.models import Enrolment, ServiceRequest, Studio, Talent, TalentStep

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 6, 30)


def test_the_demo_covers_every_township_source_stage_and_state():
    counts = synthetic.generate_demo("420222", seed=1, as_of=AS_OF)
    assert 200 <= counts["talent"] <= 400 and counts["talent"] == Talent.objects.count()
    townships = Region.objects.children_of("420222").values_list("code", flat=True)
    assert all(Talent.objects.filter(region_code__startswith=code).exists() for code in townships)
    assert set(Talent.objects.values_list("source", flat=True)) == set(Source.values)
    assert set(Talent.objects.values_list("stage", flat=True)) == set(Stage.values)
    used = Talent.objects.filter(stage=Stage.USED).first()
    assert used.steps.order_by("taken_on", "id").first().stage == Stage.IDENTIFIED
    assert set(Studio.objects.values_list("kind", flat=True)) == {
        StudioKind.AGRICULTURAL_EXPERT,
        StudioKind.MASTER_DOCTOR,
    }
    for studio in Studio.objects.all():
        states = set(ServiceRequest.objects.filter(studio=studio).values_list("status", flat=True))
        assert states == set(RequestStatus.values)
    assert Enrolment.objects.filter(passed=True).exists()
    assert Enrolment.objects.exclude(certificate_number="").exists()
    assert synthetic.generate_demo("420222", seed=1, as_of=AS_OF)["talent"] == 0


def test_the_steps_and_services_name_a_readable_recorder():
    synthetic.generate_demo("420222", seed=1, as_of=AS_OF)
    townships = dict(Region.objects.children_of("420222").values_list("code", "name"))
    for talent in Talent.objects.prefetch_related("steps"):
        township = f"{townships[talent.region_code[:9]]}党委"
        for step in talent.steps.all():
            # The township's party committee, or the organiser of a course passed.
            assert step.recorded_by in (township, "阳新县农业农村局"), step.recorded_by
    assert TalentStep.objects.filter(recorded_by="阳新县农业农村局").exists()
    for request in ServiceRequest.objects.select_related("studio"):
        assert request.created_by == request.studio.name
        for delivery in request.deliveries.all():
            assert delivery.recorded_by == request.studio.name


def test_the_command_leaves_a_county_with_talent_alone(capsys):
    call_command("generate_talent_demo", "--region", "420222", "--as-of", "2025-06-30")
    first = Talent.objects.count()
    call_command("generate_talent_demo", "--region", "420222")
    assert Talent.objects.count() == first
    assert "left alone" in capsys.readouterr().out


class _Rollback(Exception):
    pass


def _drawn() -> list[tuple]:
    return sorted(
        Talent.objects.values_list("person__id_number", "region_code", "source", "stage", "skills")
    )


def test_the_same_seed_and_date_give_the_same_demo():
    drawn = []
    for _ in range(2):
        with pytest.raises(_Rollback), transaction.atomic():
            synthetic.generate_demo("420222", seed=3, as_of=AS_OF)
            drawn.append(_drawn())
            raise _Rollback
    assert drawn[0] == drawn[1] and len(drawn[0]) > 200
