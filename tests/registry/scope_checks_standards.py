"""Scope checks of the annual lines and the villages' populations (see
tests/test_every_endpoint_is_scoped.py).

The insider's things: a line of 四川 (51), which does not apply in 大冶市 (420281, Hubei),
a line of 湖北 (42), which does apply there but which a county may not change, and the 2020
population of a village of 兴国镇. The organisation department of 大冶市 sees neither the
Sichuan line nor the population, and changes nothing."""

from decimal import Decimal

from baolei.registry.models import AnnualStandard, VillagePopulation
from tests.registry.factories import VILLAGE
from tests.scoping import lacks, status

SICHUAN_SOURCE = "四川省2023年防止返贫监测标准"
HUBEI_SOURCE = "湖北省2023年防止返贫监测标准"
POPULATION_SOURCE = "兴国镇2020年户籍人口"


def things(insider) -> dict:
    return {
        "sichuan": AnnualStandard.objects.create(
            region_code="51", year=2023, monitoring_line=Decimal("7000"), source=SICHUAN_SOURCE
        ),
        "hubei": AnnualStandard.objects.create(
            region_code="42", year=2023, monitoring_line=Decimal("7200"), source=HUBEI_SOURCE
        ),
        "population": VillagePopulation.objects.create(
            village_id=VILLAGE, year=2020, population=1234, source=POPULATION_SOURCE
        ),
    }


def _nothing_changed(things) -> None:
    sichuan = AnnualStandard.objects.get(pk=things["sichuan"].pk)
    hubei = AnnualStandard.objects.get(pk=things["hubei"].pk)
    assert sichuan.monitoring_line == Decimal("7000") and hubei.monitoring_line == Decimal("7200")
    assert AnnualStandard.objects.filter(year=2030).count() == 0
    assert list(VillagePopulation.objects.values_list("village_id", "year", "population")) == [
        (VILLAGE, 2020, 1234)
    ]


def _unchanged(things):
    def check(response):
        assert response.status_code in (403, 404), response.status_code
        _nothing_changed(things)

    return check


def page_checks(things: dict) -> list:
    sichuan, hubei = things["sichuan"], things["hubei"]
    unchanged = _unchanged(things)
    populations = "/registry/counties/420222/populations/?year=2020"
    return [
        ("registry:standard_list", "get", "/registry/standards/", lacks(SICHUAN_SOURCE)),
        ("registry:standard_edit", "get", f"/registry/standards/{sichuan.pk}/", status(404)),
        ("registry:standard_edit", "post", f"/registry/standards/{sichuan.pk}/", unchanged),
        # Applies in Hubei, so it is seen; a county does not change it.
        ("registry:standard_edit", "get", f"/registry/standards/{hubei.pk}/", status(403)),
        ("registry:standard_edit", "post", f"/registry/standards/{hubei.pk}/", unchanged),
        ("registry:standard_create", "get", "/registry/standards/new/", status(403)),
        ("registry:standard_create", "post", "/registry/standards/new/", unchanged),
        ("registry:village_populations", "get", populations, status(404)),
        ("registry:village_populations", "post", populations, unchanged),
    ]


def api_checks(things: dict) -> list:
    put = f"/api/registry/villages/{VILLAGE}/populations/2020"
    return [
        ("/api/registry/standards", "get", "/api/registry/standards", None, lacks(SICHUAN_SOURCE)),
        (
            "/api/registry/standards/lines",
            "get",
            f"/api/registry/standards/lines?year=2024&region={VILLAGE}",
            None,
            status(404),
        ),
        (
            "/api/registry/populations",
            "get",
            "/api/registry/populations?region=420222&year=2020",
            None,
            status(404),
        ),
        (
            "/api/registry/populations",
            "get",
            "/api/registry/populations?region=420281&year=2020",
            None,
            lacks(POPULATION_SOURCE),
        ),
        (
            "/api/registry/villages/{code}/populations/{year}",
            "put",
            put,
            {"population": 5},
            _unchanged(things),
        ),
    ]
