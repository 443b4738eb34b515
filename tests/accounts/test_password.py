"""Changing one's own password."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/accounts/password/"
NEW = "Peach-blossom-spring-77"


def _change(client, old, new1, new2=None):
    return client.post(
        PAGE, {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
    )


def test_the_page_opens(client_insider):
    response = client_insider.get(PAGE)
    assert response.status_code == 200
    assert 'name="new_password1"' in response.content.decode()


def test_changing_the_password_keeps_the_user_logged_in(client_insider, insider):
    response = _change(client_insider, PASSWORD, NEW)
    assert response.status_code == 302
    assert response["Location"] == "/"
    insider.refresh_from_db()
    assert insider.check_password(NEW)
    assert client_insider.get("/").status_code == 200


@pytest.mark.parametrize(
    "new",
    [
        "Sh0rt-pw",  # shorter than the 10 characters required
        "1234567890123",  # entirely numeric
        "password123",  # a common password
        "insider123",  # too like the login name
    ],
)
def test_weak_passwords_are_refused(client_insider, insider, new):
    response = _change(client_insider, PASSWORD, new)
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    insider.refresh_from_db()
    assert insider.check_password(PASSWORD)


def test_the_old_password_must_be_right(client_insider, insider):
    response = _change(client_insider, "not-my-password", NEW)
    assert response.context["form"].errors["old_password"]
    insider.refresh_from_db()
    assert insider.check_password(PASSWORD)


def test_the_two_new_passwords_must_match(client_insider, insider):
    response = _change(client_insider, PASSWORD, NEW, NEW + "x")
    assert response.context["form"].errors["new_password2"]
    insider.refresh_from_db()
    assert insider.check_password(PASSWORD)


def test_anonymous_visitors_must_log_in_first(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
