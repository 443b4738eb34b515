"""Loading the shipped NBS division files: `--only`, idempotency, repair, the command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from baolei.audit.models import Action, AuditEvent
from baolei.regions import services
from baolei.regions.models import Level, Region

pytestmark = pytest.mark.django_db

COUNTY = "420222"  # 阳新县
ONLY_COUNTS = {
    Level.PROVINCE: 1,
    Level.CITY: 1,
    Level.COUNTY: 1,
    Level.TOWNSHIP: 21,
    Level.VILLAGE: 474,
}


@pytest.fixture(scope="module")
def second_load(django_db_setup, django_db_blocker):
    """阳新县 loaded again on top of the session's load (and rolled back)."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = services.load_regions(only=COUNTY)
        transaction.set_rollback(True)
    return result


def test_only_loads_the_county_its_ancestors_and_everything_below(second_load):
    assert second_load.counts == ONLY_COUNTS
    assert second_load.total == 498


def test_loading_again_changes_nothing(second_load):
    assert (second_load.inserted, second_load.updated, second_load.unchanged) == (0, 0, 498)


def test_the_database_holds_the_county_tree():
    per_level = services.level_counts()
    in_county = Region.objects.within(COUNTY)
    assert in_county.filter(level=Level.TOWNSHIP).count() == 21
    assert in_county.filter(level=Level.VILLAGE).count() == 474
    # The neighbouring county was loaded too, but nothing else of Hubei.
    assert per_level[Level.PROVINCE] == 1
    assert per_level[Level.CITY] == 1
    assert per_level[Level.COUNTY] == 2
    assert Region.objects.get(code="42").name == "湖北省"
    assert Region.objects.get(code="4202").name == "黄石市"


def test_full_names_spell_the_path_from_the_province():
    assert Region.objects.get(code="420222100").full_name == "湖北省黄石市阳新县兴国镇"
    assert (
        Region.objects.get(code="420222100001").full_name
        == "湖北省黄石市阳新县兴国镇山川台社区居委会"
    )


def test_loading_repairs_edited_and_missing_rows():
    Region.objects.filter(code="420222100").update(name="错误镇", full_name="错误")
    Region.objects.filter(code="420222100002").delete()

    result = services.load_regions(only="420222100")

    assert (result.inserted, result.updated) == (1, 1)
    town = Region.objects.get(code="420222100")
    assert (town.name, town.full_name) == ("兴国镇", "湖北省黄石市阳新县兴国镇")
    assert Region.objects.get(code="420222100002").name == "陵园社区居委会"


def test_a_malformed_code_is_refused_before_reading_anything():
    with pytest.raises(ValueError, match="not a division code"):
        services.load_regions(only="4202x")


def test_the_command_records_one_bulk_event_with_counts_and_checksum(monkeypatch):
    monkeypatch.setenv("BAOLEI_AUDIT_CHANNEL", "command")
    before = AuditEvent.objects.count()
    out = io.StringIO()

    call_command("load_regions", only=COUNTY, stdout=out)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == Action.BULK_LOAD
    assert event.model == "regions.region"
    assert event.channel == "command"
    assert event.region_code == COUNTY
    assert event.extra["sha256"] == services.source_sha256()
    assert len(event.extra["sha256"]) == 64
    assert event.extra["only"] == COUNTY
    assert event.extra["rows"] == 498
    assert (event.extra["inserted"], event.extra["updated"], event.extra["unchanged"]) == (
        0,
        0,
        498,
    )
    assert "498 regions" in out.getvalue()
    assert "0 inserted, 0 updated, 498 unchanged" in out.getvalue()


def test_the_command_refuses_a_code_not_in_the_data_and_records_nothing():
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="no region with code 99"):
        call_command("load_regions", only="99", stdout=io.StringIO())
    assert AuditEvent.objects.count() == before
    assert not Region.objects.filter(code="99").exists()


@pytest.mark.slow
def test_full_national_load_has_every_region():
    already = Region.objects.count()
    assert already == 2 + 496 + 450  # Hubei, Huangshi, and the two counties' trees

    result = services.load_regions()

    expected = {
        Level.PROVINCE: 31,
        Level.CITY: 342,
        Level.COUNTY: 2978,
        Level.TOWNSHIP: 41352,
        Level.VILLAGE: 620573,
    }
    assert result.counts == expected
    assert result.total == 665276
    assert result.updated == 0  # the two counties already loaded are unchanged
    assert result.inserted == 665276 - already
    assert services.level_counts() == expected
    # The NBS "市辖区" placeholder is left out of full names.
    assert Region.objects.get(code="110101").full_name == "北京市东城区"
