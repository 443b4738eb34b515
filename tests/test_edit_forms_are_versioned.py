"""Optimistic locking on every edit form of organisation, cadres and talent: two people open
the same edit form and both save; the second is refused, saying who saved in between, and
the first change is kept."""

import pytest
from django.test import Client

from baolei.cadres.models import Cadre, LeaderCandidate, WorkTeam
from baolei.organisation.models import HostEntity, PartyMember, PartyOrganisation
from baolei.talent.models import Talent
from tests.cadres.factories import CadreFactory, LeaderCandidateFactory
from tests.cadres.factories_teams import WorkTeamFactory
from tests.conftest import COUNTY
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.organisation.factories import (
    HostEntityFactory,
    PartyMemberFactory,
    PartyOrganisationFactory,
)
from tests.talent.factories import TalentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# (factory, edit URL, model, the field both edits change)
FORMS = {
    "organisation": (
        PartyOrganisationFactory,
        "/organisation/organisations/{pk}/edit/",
        PartyOrganisation,
        "name",
    ),
    "host": (HostEntityFactory, "/organisation/hosts/{pk}/edit/", HostEntity, "name"),
    "party_member": (PartyMemberFactory, "/organisation/members/{pk}/edit/", PartyMember, "posts"),
    "cadre": (CadreFactory, "/cadres/{pk}/edit/", Cadre, "unit"),
    "leader": (LeaderCandidateFactory, "/cadres/leaders/{pk}/edit/", LeaderCandidate, "occupation"),
    "team": (WorkTeamFactory, "/cadres/teams/{pk}/edit/", WorkTeam, "dispatching_unit"),
    "talent": (TalentFactory, "/talent/people/{pk}/edit/", Talent, "occupation"),
}


def _opened(client: Client, url: str) -> dict:
    """What the edit form holds as it was opened, as a browser would post it back."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        else:
            data[field.html_name] = str(value)
    return data


@pytest.mark.parametrize("kind", FORMS)
def test_the_second_of_two_edits_from_the_same_version_is_refused(kind):
    factory, url, model, field = FORMS[kind]
    record = factory()
    url = url.format(pk=record.pk)
    first, second = Client(), Client()
    first.force_login(UserFactory(username="first", role="organisation_department", scope=COUNTY))
    second.force_login(
        UserFactory(
            username="second", role="organisation_department", scope=COUNTY, full_name="王二"
        )
    )
    first_data, second_data = _opened(first, url), _opened(second, url)
    first_data[field] = "第一次修改"
    second_data[field] = "第二次修改"
    saved = first.post(url, first_data)
    assert saved.status_code == 302, saved.content.decode()
    refused = second.post(url, second_data)
    page = refused.content.decode()
    assert refused.status_code in (200, 409)
    assert "Someone else" in page and "saved this record" in page
    assert getattr(model.objects.get(pk=record.pk), field) == "第一次修改"


# (factory, API path, model, the field both changes set)
API = {
    "organisation": (
        PartyOrganisationFactory,
        "/api/organisation/organisations/{pk}",
        PartyOrganisation,
        "name",
    ),
    "host": (HostEntityFactory, "/api/organisation/hosts/{pk}", HostEntity, "name"),
    "cadre": (CadreFactory, "/api/cadres/cadres/{pk}", Cadre, "unit"),
    "team": (WorkTeamFactory, "/api/cadres/teams/{pk}", WorkTeam, "dispatching_unit"),
}


@pytest.mark.parametrize("kind", API)
def test_the_api_refuses_a_change_from_a_stale_version(kind, client):
    factory, url, model, field = API[kind]
    record = factory()
    url = url.format(pk=record.pk)
    user = UserFactory(role="organisation_department", scope=COUNTY)
    key = bearer(ApiTokenFactory(user=user).key)

    def patch(body):
        return client.patch(url, body, content_type="application/json", headers=key)

    version = client.get(url, headers=key).json()["version"]
    first = patch({field: "第一次修改", "version": version})
    assert first.status_code == 200 and first.json()["version"] == version + 1
    second = patch({field: "第二次修改", "version": version})
    assert second.status_code == 422 and second.json()["code"] == "stale"
    assert getattr(model.objects.get(pk=record.pk), field) == "第一次修改"
    unchecked = patch({field: "不带版本"})  # no version: no check, but the version moves on
    assert unchecked.status_code == 200 and unchecked.json()["version"] == version + 2
