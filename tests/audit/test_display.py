"""The audit page speaks the reader's language: model and field names, people's names,
related objects by name, 是/否, choice labels and local times, never the internals."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from baolei.audit.models import Action, AuditEvent, Channel
from baolei.regions.models import Region
from baolei.registry.models import HouseholdYear, Member
from tests.factories import AuditEventFactory
from tests.registry.factories import (
    HouseholdYearFactory,
    MemberFactory,
    PersonFactory,
    VisitFactory,
)
from tests.talent.factories import TalentFactory

pytestmark = pytest.mark.django_db

PAGE = "/audit/"


def _table(client, **params) -> str:
    """The text of the events table, as a reader sees it."""
    response = client.get(PAGE, params)
    assert response.status_code == 200
    page = response.content.decode()
    table = page[page.index('data-testid="audit-table"') : page.index("</table>")]
    table = re.sub(r"</?b>", "", table)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table)))


def test_model_and_field_names_are_chinese_and_related_objects_named(client_county_admin):
    member = MemberFactory()
    text = _table(client_county_admin, model="registry.member")
    assert "registry.member" not in text
    with translation.override("zh-hans"):
        assert str(Member._meta.verbose_name) in text
    assert "household" not in text
    assert f"农户: （空） → {member.household}" in text
    assert f"人员: （空） → {member.person}" in text
    assert f"→ {member.person_id} " not in text


def test_a_user_foreign_key_and_its_label_are_shown_by_name(client_county_admin, county_admin):
    VisitFactory(recorded_by=county_admin)
    text = _table(client_county_admin, model="registry.visit")
    assert "recorded by" not in text
    assert f"登记人: （空） → {county_admin.full_name} ({county_admin.username})" in text


def test_a_gone_object_is_shown_by_its_number(client_county_admin):
    AuditEventFactory(
        action=Action.UPDATE,
        model="registry.member",
        object_repr="某成员",
        changes={"household_id": [987654321, None]},
    )
    assert "农户: #987654321 → （空）" in _table(client_county_admin)


def test_booleans_choices_and_code_lists_are_shown_as_labels(client_county_admin):
    HouseholdYearFactory(assurance_notes={"food": "粮食由村集体代储"})
    TalentFactory(skills=",crop_farming,e_commerce,")
    text = _table(client_county_admin)
    for internal in ("True", "False", "crop_farming", "e_commerce", "rural_entrepreneur"):
        assert internal not in text
    assert "是" in text
    assert "种植、电子商务" in text


def test_json_values_are_shown_with_labels(client_county_admin):
    HouseholdYearFactory(assurance_notes={"food": "粮食由村集体代储"})
    text = _table(client_county_admin, model="registry.householdyear")
    with translation.override("zh-hans"):
        food = str(HouseholdYear._meta.get_field("food").verbose_name)
    assert f"{food}: 粮食由村集体代储" in text
    assert "{" not in text and "'food'" not in text


def test_every_time_is_local_in_one_format(client_county_admin):
    AuditEventFactory(
        at=datetime.datetime(2025, 3, 1, 2, 30, 5, tzinfo=datetime.UTC),
        action=Action.UPDATE,
        model="registry.visit",
        object_repr="走访",
        changes={"recorded_at": ["2025-02-28T16:00:00+00:00", "2025-03-01T02:30:05.123+00:00"]},
        extra={"locked_until": "2025-03-01T03:00:00+00:00"},
    )
    text = _table(client_county_admin)
    assert "2025-03-01 10:30:05" in text  # the event's own time
    assert "2025-03-01 00:00:00 → 2025-03-01 10:30:05" in text
    assert "2025-03-01 11:00:00" in text
    assert "T02:30" not in text and "+00:00" not in text


@pytest.mark.parametrize(
    ("actor_name", "channel", "shown"),
    [
        ("command:root", Channel.COMMAND, "命令行 (root)"),
        ("system:baolei", Channel.SYSTEM, "系统 (baolei)"),
    ],
)
def test_an_operator_without_an_account_is_named_readably(
    client_county_admin, actor_name, channel, shown
):
    AuditEventFactory(actor_name=actor_name, channel=channel)
    text = _table(client_county_admin)
    assert shown in text
    assert actor_name not in text


def test_a_user_is_named_by_full_name_and_username(client_county_admin, insider):
    AuditEventFactory(actor_id=insider.pk, actor_name=insider.username, channel=Channel.WEB)
    # Only this event: the account's own creation event is named after the account too.
    text = _table(client_county_admin, model="regions.region")
    assert f"{insider.full_name} ({insider.username})" in text


def test_the_model_filter_is_a_picker_of_audited_models(client_county_admin):
    page = client_county_admin.get(PAGE).content.decode()
    picker = page[
        page.index('<select name="model"') : page.index(
            "</select>", page.index('<select name="model"')
        )
    ]
    assert '<option value="registry.household">农户</option>' in picker
    assert '<option value="talent.enrolment">' in picker
    assert "如 accounts.user" not in page and "accounts.user" not in html.unescape(
        re.sub(r"<[^>]+>", " ", picker)
    )


def test_the_picker_leaves_out_what_the_viewer_may_not_see(client_insider):
    page = client_insider.get(PAGE).content.decode()
    assert 'value="cadres.disciplinaryrecord"' not in page


def test_related_objects_are_looked_up_once_per_page(client_county_admin):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client_county_admin.get(PAGE).status_code == 200
        return len(context)

    MemberFactory()
    one = queries()
    for _ in range(10):
        MemberFactory()
    assert AuditEvent.objects.filter(model="registry.member").count() == 11
    assert queries() == one


def test_a_division_code_kept_as_text_is_named(client_county_admin):
    person = PersonFactory()
    village = Region.objects.get(code=person.region_code)
    text = _table(client_county_admin, model="registry.person")
    assert f"（空） → {village.name} ({village.code})" in text
