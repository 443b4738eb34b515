"""Every page and API endpoint is tried from outside the scope.

The lists below must name every URL of the site and every operation of the API: a new
endpoint without an entry here fails `test_every_endpoint_is_listed`, so nobody can add
one without saying how it is scoped and proving it against an outsider.

The outsider is the organisation department of 大冶市 (420281): it may manage users and
read the audit trail, so a refusal here comes from the scope, not from a missing role. The
registry is tried by the rural revitalisation bureau of 大冶市, which may edit the
registry and record visits — in its own county.
"""

import datetime
import importlib
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from baolei.accounts.models import User
from baolei.accounts.permissions import Role
from baolei.api import api
from baolei.audit import services as audit
from baolei.imports.models import ImportJob
from baolei.registry import choices
from baolei.registry.models import Household, Member, Procedure, RiskEvent
from tests.factories import ApiTokenFactory, UserFactory
from tests.helpers import bearer
from tests.registry.factories import (
    HelperFactory,
    HouseholdFactory,
    MemberFactory,
    MonitoringCaseFactory,
    PairingFactory,
    VisitFactory,
)
from tests.scoping import lacks as _lacks
from tests.scoping import status as _status
from tests.scoping import xlsx_lacks as _xlsx_lacks

pytestmark = pytest.mark.django_db

# The capabilities built on the registry keep their checks beside their own tests. Each
# module has `things(insider) -> dict` (objects of 兴国镇), `page_checks(things)` of
# (url name, method, path, check) and `api_checks(things)` of (operation path in the
# OpenAPI document, method, request path, JSON body or None, check); every check is tried
# by the organisation department of 大冶市, which may edit organisations, cadres and talent
# and see disciplinary records — in its own county.
APP_CHECK_MODULES = [
    "tests.organisation.scope_checks",
    "tests.organisation.scope_checks_grading",
    "tests.cadres.scope_checks",
    "tests.cadres.scope_checks_teams",
    "tests.talent.scope_checks",
    "tests.registry.scope_checks_standards",
    "tests.dashboard.scope_checks",
    "tests.dashboard.scope_checks_reports",
]

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
def bureau_outsider(db):
    return UserFactory(username="bureau_outsider", role=Role.REVITALISATION_BUREAU, scope="420281")


@pytest.fixture
def client_bureau_outsider(bureau_outsider):
    client = Client()
    client.force_login(bureau_outsider)
    return client


@pytest.fixture
def insiders_things(insider):
    """Objects of 兴国镇 (420222100) that the outsiders must not reach."""
    token = ApiTokenFactory(user=insider)
    with_event = audit.record("update", instance=insider, changes={"phone": ["", "1"]})
    today = datetime.date.today()
    household = HouseholdFactory()
    member = MemberFactory(household=household)
    helper = HelperFactory(region_code="420222100")
    pairing = PairingFactory(helper=helper, household=household)
    VisitFactory(household=household, visited_on=today - datetime.timedelta(days=400))
    risk = RiskEvent.objects.create(
        household=household, kind=choices.RiskKind.MAJOR_ILLNESS, occurred_on=today
    )
    case = MonitoringCaseFactory(household=household)
    procedure = Procedure.objects.create(
        household=household,
        kind=Procedure.Kind.MONITORING,
        case=case,
        started_on=today - datetime.timedelta(days=20),
    )
    job = ImportJob.objects.create(
        kind="households",
        filename="兴国镇.csv",
        sha256="0" * 64,
        uploaded_by=insider,
        uploader_name="insider",
        region_code="420222100",
        status=ImportJob.Status.REJECTED,
        error_file="imports/none.xlsx",
    )
    return {
        "job": job,
        "user": insider,
        "token": token,
        "event": with_event,
        "household": household,
        "member": member,
        "helper": helper,
        "pairing": pairing,
        "risk": risk,
        "case": case,
        "procedure": procedure,
    }


def _page_checks(things):
    user, token = things["user"], things["token"]
    # (url name, method, path, check on the response)
    return [
        ("regions:browse", "get", "/regions/?region_search=兴国", _lacks("/regions/420222100/")),
        ("regions:detail", "get", "/regions/420222100/", _status(404)),
        ("dashboard:village", "get", "/dashboard/villages/420222100001/", _status(404)),
        ("dashboard:effectiveness", "get", "/dashboard/effectiveness/420222100/", _status(404)),
        ("dashboard:effectiveness", "get", "/dashboard/effectiveness/420222/", _status(404)),
        (
            "regions:picker_children",
            "get",
            "/regions/picker/children/?region_parent=420222100",
            _status(404),
        ),
        (
            "regions:picker_search",
            "get",
            "/regions/picker/search/?region_search=兴国",
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


def _nothing_to_do(response):
    assert response.status_code == 200, response.status_code
    counts = re.findall(r'data-testid="todo-count-([a-z]+)"[^>]*>(\d+)<', response.content.decode())
    assert {"identifications", "visits"} <= {key for key, _count in counts}, counts
    assert all(count == "0" for _key, count in counts), counts


def _registry_checks(things):
    """Tried by the 大冶市 bureau, which has every registry permission in its own county."""
    h, m, p = things["household"], things["member"], things["pairing"]
    case, procedure, risk = things["case"], things["procedure"], things["risk"]
    household_page = f"/registry/households/{h.pk}/"
    not_found = _status(404)
    return [
        ("registry:household_list", "get", "/registry/households/", _lacks(household_page)),
        # The insider's overdue identification and unvisited household are not counted.
        ("dashboard:todo", "get", "/dashboard/todo/", _nothing_to_do),
        (
            "registry:household_list",
            "get",
            f"/registry/households/?q={h.number}",
            _lacks(household_page),
        ),
        (
            "registry:household_create",
            "post",
            "/registry/households/new/",
            _creates_no_household({"village": h.village_id, "number": "420222100001999"}),
        ),
        ("registry:household_detail", "get", household_page, not_found),
        ("registry:household_edit", "get", f"{household_page}edit/", not_found),
        ("registry:household_edit", "post", f"{household_page}edit/", not_found),
        ("registry:member_create", "post", f"{household_page}members/new/", not_found),
        ("registry:member_edit", "post", f"/registry/members/{m.pk}/edit/", not_found),
        ("registry:member_remove", "post", f"/registry/members/{m.pk}/remove/", not_found),
        ("registry:year_edit", "post", f"{household_page}years/2023/", not_found),
        ("registry:visit_create", "post", f"{household_page}visits/new/", not_found),
        ("registry:pairing_create", "post", f"{household_page}pairing/new/", not_found),
        ("registry:pairing_helpers", "get", f"{household_page}pairing/helpers/", not_found),
        ("registry:pairing_end", "post", f"/registry/pairings/{p.pk}/end/", not_found),
        (
            "registry:visits_overdue",
            "get",
            "/registry/visits/overdue/?days=1",
            _lacks(household_page),
        ),
        ("registry:helper_list", "get", "/registry/helpers/", _lacks(things["helper"].unit)),
        ("registry:helper_create", "get", "/registry/helpers/new/", _status(200)),
        ("registry:exit_check", "get", f"{household_page}exit-check/", not_found),
        ("registry:procedure_start", "get", f"{household_page}procedures/start/", not_found),
        ("registry:procedure_start", "post", f"{household_page}procedures/start/", not_found),
        ("registry:procedure_detail", "get", f"/registry/procedures/{procedure.pk}/", not_found),
        ("registry:procedure_detail", "post", f"/registry/procedures/{procedure.pk}/", not_found),
        ("registry:risk_event_create", "get", f"{household_page}risk-events/new/", not_found),
        ("registry:risk_event_create", "post", f"{household_page}risk-events/new/", not_found),
        (
            "registry:risk_event_resolve",
            "post",
            f"/registry/risk-events/{risk.pk}/resolve/",
            not_found,
        ),
        ("registry:case_detail", "get", f"/registry/cases/{case.pk}/", not_found),
        ("registry:measure_create", "get", f"/registry/cases/{case.pk}/measures/new/", not_found),
        ("registry:measure_create", "post", f"/registry/cases/{case.pk}/measures/new/", not_found),
        (
            "registry:monitoring_overdue",
            "get",
            "/registry/monitoring/overdue/",
            _lacks(f"/registry/procedures/{procedure.pk}/"),
        ),
        (
            "registry:monitoring_candidates",
            "get",
            "/registry/monitoring/candidates/?year=2024",
            _lacks(h.number),
        ),
        (
            "registry:village_exit",
            "get",
            f"/registry/villages/{h.village_id}/exit-check/",
            not_found,
        ),
        ("registry:county_readiness", "get", "/registry/counties/420222/readiness/", not_found),
        *_import_checks(things),
    ]


def _import_checks(things):
    job_page = f"/imports/jobs/{things['job'].pk}/"
    export = "/registry/households/export/"
    return [
        ("imports:job_list", "get", "/imports/", _lacks(job_page)),
        ("imports:upload", "get", "/imports/upload/", _lacks(job_page)),
        ("imports:upload", "post", "/imports/upload/", _queues_no_job()),
        ("imports:job_detail", "get", job_page, _status(404)),
        ("imports:job_errors", "get", f"{job_page}errors/", _status(404)),
        (
            "imports:template",
            "get",
            "/imports/templates/households/",
            _xlsx_lacks("富池口社区居委会"),
        ),
        ("registry:household_export", "get", f"{export}?region=420222100", _status(404)),
        ("registry:household_export", "get", export, _xlsx_lacks(things["household"].number)),
    ]


def _queues_no_job():
    def check(response):
        assert response.status_code == 200
        assert ImportJob.objects.count() == 1  # only the insider's

    return check


def _creates_no_household(data):
    def check(response):
        assert response.status_code in (200, 403, 404), response.status_code
        assert not Household.objects.filter(number=data["number"]).exists()

    return check


def _registry_api_checks(things):
    h = things["household"]
    base = f"/api/registry/households/{h.pk}"
    one_member = f"{base}/members/{things['member'].pk}"
    member = {
        "id_number": "11010519491231002X",
        "name": "王芳",
        "relation": "spouse",
        "labour_capacity": "ordinary",
    }
    visit = {"visited_on": "2024-05-01", "findings": "生活正常"}
    return [
        # (operation path in the OpenAPI document, method, request path, valid body, status)
        ("/api/registry/households/{pk}", "get", base, None, 404),
        ("/api/registry/households/{pk}", "patch", base, {"version": 1, "address": "x"}, 404),
        ("/api/registry/households/{pk}/members", "get", f"{base}/members", None, 404),
        ("/api/registry/households/{pk}/members", "post", f"{base}/members", member, 404),
        (
            "/api/registry/households/{pk}/members/{member_id}",
            "patch",
            one_member,
            {"education": "college", "phone": "13900000000"},
            404,
        ),
        ("/api/registry/households/{pk}/members/{member_id}", "delete", one_member, None, 404),
        ("/api/registry/households/{pk}/years", "get", f"{base}/years", None, 404),
        (
            "/api/registry/households/{pk}/years/{year}",
            "put",
            f"{base}/years/2023",
            {"wages": "100"},
            404,
        ),
        ("/api/registry/households/{pk}/visits", "get", f"{base}/visits", None, 404),
        ("/api/registry/households/{pk}/visits", "post", f"{base}/visits", visit, 404),
        ("/api/imports/{job_id}", "get", f"/api/imports/{things['job'].pk}", None, 404),
        (
            "/api/imports/{job_id}/errors",
            "get",
            f"/api/imports/{things['job'].pk}/errors",
            None,
            404,
        ),
    ]


API_CHECKS = [
    # (operation path in the OpenAPI document, request path, check)
    ("/api/regions/{code}", "/api/regions/420222100", "404"),
    ("/api/regions/{code}/children", "/api/regions/420222100/children", "404"),
    ("/api/dashboard/effectiveness/{code}", "/api/dashboard/effectiveness/420222100", "404"),
    ("/api/regions/search", "/api/regions/search?q=兴国", "no-420222100"),
    ("/api/me/", "/api/me/", "self"),
]


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


@pytest.fixture
def app_checks(insider):
    """(module, its things) for every app module of checks."""
    found = []
    for name in APP_CHECK_MODULES:
        module = importlib.import_module(name)
        found.append((module, module.things(insider)))
    return found


def test_every_endpoint_is_listed(insiders_things, app_checks):
    checks = _page_checks(insiders_things) + _registry_checks(insiders_things)
    for module, things in app_checks:
        checks += module.page_checks(things)
    listed = {name for name, *_ in checks} | NOT_REGIONAL
    api_operations = {name for name in _url_names() if name.startswith("api:")}
    pages = _url_names() - api_operations
    assert pages == listed - {n for n in listed if n.startswith("api:")}
    documented = set(api.get_openapi_schema()["paths"])
    registry_paths = {path for path, *_ in _registry_api_checks(insiders_things)}
    app_paths = {path for module, things in app_checks for path, *_ in module.api_checks(things)}
    lists = {"/api/registry/households", "/api/imports/", "/api/imports/templates/{kind}"}
    expected = {path for path, _request, _check in API_CHECKS} | registry_paths | lists
    assert documented == expected | app_paths


def test_outsider_reaches_no_organisation_cadre_or_talent_page(client_outsider, app_checks):
    for module, things in app_checks:
        for name, method, path, check in module.page_checks(things):
            response = getattr(client_outsider, method)(path)
            try:
                check(response)
            except AssertionError as error:
                raise AssertionError(f"{name} {method.upper()} {path}: {error}") from error


def test_outsider_reaches_no_organisation_cadre_or_talent_api(client, outsider, app_checks):
    key = ApiTokenFactory(user=outsider).key
    for module, things in app_checks:
        for operation, method, path, body, check in module.api_checks(things):
            if body is None:
                response = getattr(client, method)(path, headers=bearer(key))
            else:
                response = getattr(client, method)(
                    path, data=body, content_type="application/json", headers=bearer(key)
                )
            try:
                check(response)
            except AssertionError as error:
                raise AssertionError(f"{operation} {method.upper()} {path}: {error}") from error


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


def test_bureau_of_another_county_reaches_nothing_in_the_registry(
    client_bureau_outsider, insiders_things
):
    for name, method, path, check in _registry_checks(insiders_things):
        response = getattr(client_bureau_outsider, method)(path)
        try:
            check(response)
        except AssertionError as error:
            raise AssertionError(f"{name} {method.upper()} {path}: {error}") from error
    household = Household.objects.get(pk=insiders_things["household"].pk)
    assert household.members.count() == 1 and household.version == 1


def test_bureau_of_another_county_reaches_nothing_in_the_registry_api(
    client, bureau_outsider, insiders_things
):
    key = ApiTokenFactory(user=bureau_outsider).key
    for operation, method, path, body, expected in _registry_api_checks(insiders_things):
        if body is None:
            response = getattr(client, method)(path, headers=bearer(key))
        else:
            response = getattr(client, method)(
                path, data=body, content_type="application/json", headers=bearer(key)
            )
        assert response.status_code == expected, (operation, method, response.status_code)
    member = Member.objects.select_related("person").get(pk=insiders_things["member"].pk)
    assert member.household_id == insiders_things["household"].pk  # not removed
    assert member.education != "college" and member.person.phone != "13900000000"
    listed = client.get(
        f"/api/registry/households?q={insiders_things['household'].number}", headers=bearer(key)
    ).json()
    assert listed["items"] == []
    assert client.get("/api/imports/", headers=bearer(key)).json() == []
    template = client.get("/api/imports/templates/households", headers=bearer(key))
    _xlsx_lacks("富池口社区居委会")(template)
