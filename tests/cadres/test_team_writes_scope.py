"""The new team endpoints (edit page, ledger page, API writes, ledger, the list below the
attendance rule) tried by the insider (兴国镇: allowed), the neighbour (富池镇, the same role
next door) and the outsider (大冶市's organisation department): the same requests and
bodies as tests/test_every_endpoint_is_scoped.py, so that a refusal there is proven to
come from the scope and not from a bad request."""

import pytest
from django.db import transaction

from baolei.cadres.models import WorkFundEntry, WorkTeam
from tests.cadres import scope_checks_teams
from tests.factories import ApiTokenFactory
from tests.helpers import bearer

pytestmark = pytest.mark.django_db

NEW_PAGES = {"cadres:team_edit", "cadres:fund_add"}


@pytest.fixture
def things(insider):
    return scope_checks_teams.things(insider)


def _api(client, user):
    key = bearer(ApiTokenFactory(user=user).key)

    def call(method, path, body):
        if body is None:
            return getattr(client, method)(path, headers=key)
        return getattr(client, method)(
            path, data=body, content_type="application/json", headers=key
        )

    return call


def _rolled_back(request):
    """Make a request and undo what it wrote, so that every check starts alike."""
    with transaction.atomic():
        response = request()
        transaction.set_rollback(True)
    return response


def test_the_insider_may_use_every_new_api_endpoint(client, insider, things):
    call = _api(client, insider)
    for operation, method, path, body, _check in scope_checks_teams.team_write_api_checks(things):
        response = _rolled_back(lambda: call(method, path, body))  # noqa: B023
        assert response.status_code in (200, 201), (operation, method, response.content)
        if operation == "/api/cadres/attendance/below":  # no days entered: below the rule
            assert [line["name"] for line in response.json()["lines"]] == ["兴国书记"], path
    assert WorkTeam.objects.count() == 1 and WorkFundEntry.objects.count() == 1


@pytest.mark.parametrize("who", ["neighbour", "outsider"])
def test_the_neighbour_and_the_outsider_reach_none_of_them(client, request, things, who):
    call = _api(client, request.getfixturevalue(who))
    checks = scope_checks_teams.team_write_api_checks(things)
    assert len(checks) == 13
    for operation, method, path, body, check in checks:
        response = call(method, path, body)
        try:
            check(response)
        except AssertionError as error:
            raise AssertionError(f"{who}: {operation} {method.upper()} {path}: {error}") from error


def _page_data() -> dict:
    return {
        "cadres:team_edit": {
            "dispatching_unit": "阳新县财政局",
            "ends_on": "2026-06-30",
            "funds": "60000",
        },
        "cadres:fund_add": {
            "kind": "expenditure",
            "date": "2024-03-01",
            "amount": "100",
            "purpose": "办公用品",
        },
    }


def test_the_new_pages_for_the_insider_neighbour_and_outsider(
    client_insider, client_neighbour, client_outsider, things
):
    checks = [c for c in scope_checks_teams.page_checks(things) if c[0] in NEW_PAGES]
    assert {(name, method) for name, method, *_ in checks} == {
        (name, method) for name in NEW_PAGES for method in ("get", "post")
    }
    data = _page_data()
    for name, method, path, check in checks:
        for client in (client_neighbour, client_outsider):
            response = getattr(client, method)(path, data.get(name) if method == "post" else None)
            check(response)
        if method == "get":
            assert client_insider.get(path).status_code == 200, name
        else:
            response = _rolled_back(lambda: client_insider.post(path, data[name]))  # noqa: B023
            assert response.status_code == 302, (name, response.content.decode()[-2000:])
