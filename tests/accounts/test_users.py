"""Managing users: who may, which roles and regions they may hand out, whom they see."""

import pytest

from baolei.accounts.models import User
from baolei.accounts.permissions import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lantern-hill-2024-x"


def _new_user(**overrides):
    data = {
        "username": "fuchi_officer",
        "full_name": "富池镇干部",
        "phone": "13800000000",
        "role": Role.TOWNSHIP_OFFICER.value,
        "scope_region": "420222101",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return data | overrides


def _field_errors(response, field):
    return response.context["form"].errors.get(field, [])


@pytest.mark.parametrize("person", ["client_insider", "client_neighbour"])
@pytest.mark.parametrize("path", ["/accounts/users/", "/accounts/users/new/"])
def test_roles_without_user_management_are_forbidden(request, person, path):
    client = request.getfixturevalue(person)
    assert client.get(path).status_code == 403


def test_township_officer_cannot_create_users_by_posting(client_insider):
    response = client_insider.post("/accounts/users/new/", _new_user())
    assert response.status_code == 403
    assert not User.objects.filter(username="fuchi_officer").exists()


def test_county_admin_creates_a_user_within_the_county(client_county_admin):
    response = client_county_admin.post("/accounts/users/new/", _new_user())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/users/"
    user = User.objects.get(username="fuchi_officer")
    assert (user.role, user.scope_region_id, user.full_name) == (
        Role.TOWNSHIP_OFFICER,
        "420222101",
        "富池镇干部",
    )
    assert not user.is_staff and not user.is_superuser
    assert user.check_password(NEW_PASSWORD)
    # ... and the new user can log in and lands on their township.
    login = client_county_admin.__class__().post(
        "/accounts/login/", {"username": "fuchi_officer", "password": NEW_PASSWORD}, follow=True
    )
    assert "富池镇" in login.content.decode()


def test_county_admin_cannot_create_a_user_outside_the_county(client_county_admin):
    response = client_county_admin.post("/accounts/users/new/", _new_user(scope_region="420281"))
    assert response.status_code == 200
    assert _field_errors(response, "scope_region")
    assert not User.objects.filter(username="fuchi_officer").exists()


def test_county_admin_cannot_create_a_system_administrator(client_county_admin):
    response = client_county_admin.post(
        "/accounts/users/new/", _new_user(role=Role.SYSTEM_ADMIN.value, scope_region="")
    )
    assert response.status_code == 200
    assert _field_errors(response, "role")
    assert not User.objects.filter(username="fuchi_officer").exists()
    # The role is not even offered.
    page = client_county_admin.get("/accounts/users/new/").content.decode()
    assert 'value="system_admin"' not in page
    assert 'value="township_officer"' in page


def test_a_regional_user_needs_a_region(client_county_admin):
    response = client_county_admin.post("/accounts/users/new/", _new_user(scope_region=""))
    assert response.status_code == 200
    assert _field_errors(response, "scope_region")
    assert not User.objects.filter(username="fuchi_officer").exists()


def test_an_unknown_region_code_is_an_error(client_county_admin):
    response = client_county_admin.post("/accounts/users/new/", _new_user(scope_region="420222199"))
    assert _field_errors(response, "scope_region")
    assert not User.objects.filter(username="fuchi_officer").exists()


def test_weak_or_mismatched_initial_passwords_are_refused(client_county_admin):
    weak = client_county_admin.post(
        "/accounts/users/new/", _new_user(password1="12345678", password2="12345678")
    )
    assert _field_errors(weak, "password1")
    mismatched = client_county_admin.post(
        "/accounts/users/new/", _new_user(password2="other-Pass-123")
    )
    assert _field_errors(mismatched, "password2")
    assert not User.objects.filter(username="fuchi_officer").exists()


def test_login_names_are_unique_regardless_of_case(client_county_admin, insider):
    response = client_county_admin.post("/accounts/users/new/", _new_user(username="INSIDER"))
    assert _field_errors(response, "username")
    assert User.objects.filter(username__iexact="insider").count() == 1


def test_system_administrator_may_create_another_without_a_region(client_sysadmin):
    response = client_sysadmin.post(
        "/accounts/users/new/",
        _new_user(username="second_admin", role=Role.SYSTEM_ADMIN.value, scope_region=""),
    )
    assert response.status_code == 302
    admin = User.objects.get(username="second_admin")
    assert admin.scope_region is None
    assert admin.is_staff and admin.is_superuser


def test_user_list_shows_the_county_only(
    client_county_admin, insider, neighbour, outsider, sysadmin
):
    page = client_county_admin.get("/accounts/users/").content.decode()
    assert ">insider</a>" in page
    assert ">neighbour</a>" in page
    assert ">outsider</a>" not in page
    assert ">sysadmin</a>" not in page


def test_user_list_search(client_county_admin, insider, neighbour):
    page = client_county_admin.get("/accounts/users/", {"q": "neigh"}).content.decode()
    assert ">neighbour</a>" in page
    assert ">insider</a>" not in page


def test_out_of_scope_users_are_not_found(client_county_admin, outsider, sysadmin):
    for user in (outsider, sysadmin):
        assert client_county_admin.get(f"/accounts/users/{user.pk}/").status_code == 404
        response = client_county_admin.post(
            f"/accounts/users/{user.pk}/",
            {
                "full_name": "改名",
                "role": Role.LEADER.value,
                "scope_region": "420222",
                "is_active": "on",
            },
        )
        assert response.status_code == 404
        reset = client_county_admin.post(f"/accounts/users/{user.pk}/reset-password/")
        assert reset.status_code == 404
    outsider.refresh_from_db()
    assert outsider.full_name != "改名"
    assert outsider.check_password(PASSWORD)


def test_county_admin_edits_a_user_in_the_county(client_county_admin, insider):
    response = client_county_admin.post(
        f"/accounts/users/{insider.pk}/",
        {
            "full_name": "兴国镇新干部",
            "phone": "",
            "email": "",
            "role": Role.FIRST_SECRETARY.value,
            "scope_region": "420222100001",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    insider.refresh_from_db()
    assert (insider.full_name, insider.role, insider.scope_region_id) == (
        "兴国镇新干部",
        Role.FIRST_SECRETARY,
        "420222100001",
    )


def test_editing_cannot_move_a_user_out_of_the_county(client_county_admin, insider):
    response = client_county_admin.post(
        f"/accounts/users/{insider.pk}/",
        {
            "full_name": "x",
            "role": Role.TOWNSHIP_OFFICER.value,
            "scope_region": "420281001",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert _field_errors(response, "scope_region")
    insider.refresh_from_db()
    assert insider.scope_region_id == "420222100"


def test_editing_cannot_promote_to_system_administrator(client_county_admin, insider):
    response = client_county_admin.post(
        f"/accounts/users/{insider.pk}/",
        {"full_name": "x", "role": Role.SYSTEM_ADMIN.value, "scope_region": "", "is_active": "on"},
    )
    assert response.status_code == 200
    insider.refresh_from_db()
    assert insider.role == Role.TOWNSHIP_OFFICER
    assert not insider.is_superuser


def test_a_manager_cannot_deactivate_themselves(client_county_admin, county_admin):
    response = client_county_admin.post(
        f"/accounts/users/{county_admin.pk}/",
        {"full_name": "x", "role": Role.ORGANISATION_DEPARTMENT.value, "scope_region": "420222"},
    )
    assert response.status_code == 200
    assert _field_errors(response, "is_active")
    county_admin.refresh_from_db()
    assert county_admin.is_active


def test_reset_password_shows_a_working_password_once(client_county_admin, insider):
    response = client_county_admin.post(f"/accounts/users/{insider.pk}/reset-password/")
    assert response.status_code == 200
    password = response.context["password"]
    assert f'data-testid="new-password">{password}<' in response.content.decode()
    insider.refresh_from_db()
    assert insider.check_password(password)
    assert not insider.check_password(PASSWORD)


def test_reset_password_needs_a_post(client_county_admin, insider):
    assert (
        client_county_admin.get(f"/accounts/users/{insider.pk}/reset-password/").status_code == 405
    )
    insider.refresh_from_db()
    assert insider.check_password(PASSWORD)
