"""The cadres demo: made over the register demo, reproducible from its seed, linked to
the register's helpers so that achievements are computed, and never made twice."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from baolei import idnumbers
from baolei.cadres.models import Cadre, IncentiveDecision, LeaderCandidate
from baolei.cadres.services.achievements import Period, counts_for
from baolei.demo import cadres as synthetic
from baolei.demo.registry import register
from baolei.regions.models import Region

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 26)


@pytest.fixture
def register_demo():
    register.generate_register("420222100", 300, seed=1, as_of=AS_OF)


def digest() -> list:
    cadres = Cadre.objects.order_by("person__id_number").values_list(
        "person__id_number", "person__name", "unit", "rank", "region_code", "helper_id"
    )
    pool = LeaderCandidate.objects.order_by("person__id_number").values_list(
        "person__id_number", "region_code", "source", "category"
    )
    decisions = IncentiveDecision.objects.order_by("cadre__person__id_number").values_list(
        "cadre__person__id_number", "basis"
    )
    return [list(cadres), list(pool), list(decisions)]


def test_the_demo_is_reproducible_from_its_seed(register_demo):
    with transaction.atomic():
        first_counts = synthetic.generate_demo("420222", seed=1, as_of=AS_OF)
        first = digest()
        transaction.set_rollback(True)
    assert not Cadre.objects.exists()
    again = synthetic.generate_demo("420222", seed=1, as_of=AS_OF)
    assert again == first_counts and digest() == first


def test_the_demo_links_helpers_and_fills_every_township(register_demo):
    counts = synthetic.generate_demo("420222", seed=1, as_of=AS_OF)
    helpers = Cadre.objects.filter(helper__isnull=False)
    assert counts["linked_to_helpers"] == helpers.count() > 0
    assert all(cadre.person_id == cadre.helper.person_id for cadre in helpers)
    period = Period(datetime.date(2021, 1, 1), AS_OF)
    computed = counts_for(list(helpers), period)
    assert sum(row["visit"] for row in computed.values()) > 0
    townships = set(Region.objects.children_of("420222").values_list("code", flat=True))
    assert {code[:9] for code in LeaderCandidate.objects.values_list("region_code", flat=True)} == (
        townships
    )
    for number in Cadre.objects.values_list("person__id_number", flat=True):
        idnumbers.validate(number)
    assert counts["incentive_decisions"] == 5


def test_the_command_leaves_a_county_with_cadres_alone(register_demo):
    out = io.StringIO()
    call_command("generate_cadres_demo", "--as-of", "2026-11-26", stdout=out)
    made = Cadre.objects.count()
    call_command("generate_cadres_demo", "--as-of", "2026-11-26", stdout=out)
    assert Cadre.objects.count() == made > 0
    assert "already has cadres: left alone" in out.getvalue()
