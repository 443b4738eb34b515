"""Every page and API endpoint is tried from outside the scope.

The lists below must name every URL of the site and every operation of the API: a new
endpoint without an entry here fails `test_every_endpoint_is_listed`, so nobody can add
one without saying how it is scoped and proving it against an outsider.

The outsider is the organisation department of 大冶市 (420281): it may manage users and
read the audit trail, so a refusal here comes from the scope, not from a missing role.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from baolei.accounts.models import User
from baolei.api import api
from baolei.audit import services as audit
from tests.factories import ApiTokenFactory
from tests.helpers import bearer

pytestmark = pytest.mark.django_db

# URL names that hold nothing of any region: logging in and out, one's own password and
# tokens, the language switch, the empty form for a new user, the API's documentation.
NOT_REGIONAL = {
    "home",  # tested below: shows the viewer's own scope
    "accounts:login",
    "accounts:logout",
    "accounts:password_change",
    "accounts:token_list",
    "accounts:user_create",
    "set_language",
    "api:openapi-json",
    "api:openapi-view",
}


@pytest.fixture
def insiders_things(insider):
    """Objects of 兴国镇 (420222100) that the outsider must not reach."""
    token = ApiTokenFactory(user=insider)
    with_event = audit.record("update", instance=insider, changes={"phone": ["", "1"]})
    return {"user": insider, "token": token, "event": with_event}


def _page_checks(things):
    user, token = things["user"], things["token"]
    # (url name, method, path, check on the response)
    return [
        ("regions:browse", "get", "/regions/?q=兴国", _lacks("/regions/420222100/")),
        ("regions:detail", "get", "/regions/420222100/", _status(404)),
        (
            "regions:picker_children",
            "get",
            "/regions/picker/children/?parent=420222100",
            _status(404),
        ),
        (
            "regions:picker_search",
            "get",
            "/regions/picker/search/?q=兴国",
            _lacks("/regions/420222100/"),
        ),
        ("accounts:user_list", "get", "/accounts/users/", _lacks(f"/accounts/users/{user.pk}/")),
        ("accounts:user_edit", "get", f"/accounts/users/{user.pk}/", _status(404)),
        ("accounts:user_edit", "post", f"/accounts/users/{user.pk}/", _status(404)),
        (
            "accounts:user_reset_password",
            "post",
            f"/accounts/users/{user.pk}/reset-password/",
            _status(404),
        ),
        ("accounts:token_revoke", "post", f"/accounts/tokens/{token.pk}/revoke/", _status(404)),
        ("audit:event_list", "get", "/audit/?region=420222100", _lacks(str(user))),
        # National reference data: only system administrators, whatever their region.
        ("regions:reload", "get", "/regions/reload/", _status(403)),
        ("regions:reload", "post", "/regions/reload/", _status(403)),
        ("regions:reload_job", "get", "/regions/reload/any-job/", _status(403)),
    ]


API_CHECKS = [
    # (operation path in the OpenAPI document, request path, check)
    ("/api/regions/{code}", "/api/regions/420222100", "404"),
    ("/api/regions/{code}/children", "/api/regions/420222100/children", "404"),
    ("/api/regions/search", "/api/regions/search?q=兴国", "no-420222100"),
    ("/api/me/", "/api/me/", "self"),
]


def _status(code):
    def check(response):
        assert response.status_code == code, response.status_code

    return check


def _lacks(text):
    def check(response):
        assert response.status_code == 200
        assert text not in response.content.decode()

    return check


def _url_names(resolver=None, namespace=""):
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace != "admin":
                names |= _url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_endpoint_is_listed(insiders_things):
    listed = {name for name, *_ in _page_checks(insiders_things)} | NOT_REGIONAL
    api_operations = {name for name in _url_names() if name.startswith("api:")}
    pages = _url_names() - api_operations
    assert pages == listed - {n for n in listed if n.startswith("api:")}
    documented = set(api.get_openapi_schema()["paths"])
    assert documented == {path for path, _request, _check in API_CHECKS}


def test_outsider_reaches_no_page_of_the_insider(client_outsider, insiders_things):
    for name, method, path, check in _page_checks(insiders_things):
        response = getattr(client_outsider, method)(path)
        try:
            check(response)
        except AssertionError as error:
            raise AssertionError(f"{name} {method.upper()} {path}: {error}") from error
    insider = User.objects.get(pk=insiders_things["user"].pk)
    assert insider.api_tokens.get().revoked_at is None  # the revoke did not happen


def test_outsiders_home_shows_their_own_county_only(client_outsider):
    page = client_outsider.get("/").content.decode()
    assert "大冶市" in page
    assert "阳新县" not in page and "兴国镇" not in page


def test_outsider_reaches_no_api_data_of_the_insider(client, outsider, insiders_things):
    key = ApiTokenFactory(user=outsider).key
    for operation, path, check in API_CHECKS:
        response = client.get(path, headers=bearer(key))
        if check == "404":
            assert response.status_code == 404, operation
        elif check == "no-420222100":
            assert response.status_code == 200, operation
            assert all(row["code"].startswith("420281") for row in response.json()), operation
        else:
            assert response.json()["scope_region"] == "420281", operation
