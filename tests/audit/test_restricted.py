"""Events of records that only some roles may see (disciplinary sanctions) stay out of
the audit trail of the others: not their values, not even that there was one."""

import pytest
from django.test import Client

from baolei.accounts.permissions import Role
from baolei.audit.models import AuditEvent
from tests.cadres.factories import CadreFactory, DisciplinaryRecordFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/audit/"
SECRET = "收受礼金违纪"


@pytest.fixture
def sanction():
    cadre = CadreFactory(person__name="受处分干部")
    record = DisciplinaryRecordFactory(cadre=cadre, description=SECRET, authority="县纪委监委")
    record.description = SECRET + "（更正）"
    record.save()
    return record


def _client(role: str, scope: str) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role, scope=scope))
    return client


def _page(client: Client, **params) -> str:
    response = client.get(PAGE, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.REVITALISATION_BUREAU, "420222"),
        (Role.TOWNSHIP_OFFICER, "420222100"),
        (Role.LEADER, "420222"),
    ],
)
def test_roles_without_view_discipline_do_not_see_sanctions(role, scope, sanction):
    assert AuditEvent.objects.filter(model="cadres.disciplinaryrecord").count() == 2
    client = _client(role, scope)
    for page in (_page(client, model="cadres.disciplinaryrecord"), _page(client)):
        assert SECRET not in page and "县纪委监委" not in page
        assert 'data-model="cadres.disciplinaryrecord"' not in page  # no row of one
    # the rest of the cadre's trail is still there
    assert "受处分干部" in _page(client, model="cadres.cadre")


def test_the_organisation_department_sees_them(client_county_admin, sanction):
    page = _page(client_county_admin, model="cadres.disciplinaryrecord")
    assert SECRET in page and "县纪委监委" in page
    assert 'data-model="cadres.disciplinaryrecord"' in page
