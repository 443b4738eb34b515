"""Production-safe defaults read from the environment, and the security headers."""

import runpy

import pytest

from baolei import settings as baolei_settings
from baolei.settings import envbool, envint, envlist

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " On "])
def test_envbool_true_values(monkeypatch, value):
    monkeypatch.setenv("BAOLEI_TEST_FLAG", value)
    assert envbool("BAOLEI_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "nonsense"])
def test_envbool_false_values(monkeypatch, value):
    monkeypatch.setenv("BAOLEI_TEST_FLAG", value)
    assert envbool("BAOLEI_TEST_FLAG", True) is False


@pytest.mark.parametrize("default", [True, False])
def test_envbool_unset_or_empty_gives_the_default(monkeypatch, default):
    monkeypatch.delenv("BAOLEI_TEST_FLAG", raising=False)
    assert envbool("BAOLEI_TEST_FLAG", default) is default
    monkeypatch.setenv("BAOLEI_TEST_FLAG", "")
    assert envbool("BAOLEI_TEST_FLAG", default) is default


def test_envint(monkeypatch):
    monkeypatch.delenv("BAOLEI_TEST_NUMBER", raising=False)
    assert envint("BAOLEI_TEST_NUMBER", 7) == 7
    monkeypatch.setenv("BAOLEI_TEST_NUMBER", "")
    assert envint("BAOLEI_TEST_NUMBER", 7) == 7
    monkeypatch.setenv("BAOLEI_TEST_NUMBER", "3600")
    assert envint("BAOLEI_TEST_NUMBER", 7) == 3600
    monkeypatch.setenv("BAOLEI_TEST_NUMBER", "eight")
    with pytest.raises(ValueError):
        envint("BAOLEI_TEST_NUMBER", 7)


def test_envlist(monkeypatch):
    monkeypatch.setenv("BAOLEI_TEST_LIST", " a.example , b.example,, ")
    assert envlist("BAOLEI_TEST_LIST", []) == ["a.example", "b.example"]
    monkeypatch.delenv("BAOLEI_TEST_LIST")
    assert envlist("BAOLEI_TEST_LIST", ["x"]) == ["x"]


def _fresh_settings(monkeypatch, tmp_path, **env):
    """Evaluate the settings module again under the given environment."""
    for name in ["BAOLEI_DEBUG", "BAOLEI_BEHIND_TLS", "ALLOWED_HOSTS", "DATABASE_URL"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "test-only-key")
    monkeypatch.setenv("BAOLEI_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(baolei_settings.__file__)


def test_debug_is_off_by_default(monkeypatch, tmp_path):
    fresh = _fresh_settings(monkeypatch, tmp_path)
    assert fresh["DEBUG"] is False
    assert "Manifest" in fresh["STORAGES"]["staticfiles"]["BACKEND"]


def test_debug_only_when_asked_for(monkeypatch, tmp_path):
    assert _fresh_settings(monkeypatch, tmp_path, BAOLEI_DEBUG="1")["DEBUG"] is True


def test_a_real_host_name_means_tls_cookies_and_hsts(monkeypatch, tmp_path):
    fresh = _fresh_settings(monkeypatch, tmp_path, ALLOWED_HOSTS="baolei.example.gov.cn")
    assert fresh["SESSION_COOKIE_SECURE"] is True
    assert fresh["CSRF_COOKIE_SECURE"] is True
    assert fresh["SECURE_SSL_REDIRECT"] is True
    assert fresh["SECURE_HSTS_SECONDS"] == 31536000


def test_the_local_demo_runs_over_plain_http(monkeypatch, tmp_path):
    fresh = _fresh_settings(monkeypatch, tmp_path)
    assert fresh["SESSION_COOKIE_SECURE"] is False
    assert fresh["SECURE_SSL_REDIRECT"] is False


def test_a_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("BAOLEI_DATA_DIR", str(tmp_path))
    first = runpy.run_path(baolei_settings.__file__)["SECRET_KEY"]
    second = runpy.run_path(baolei_settings.__file__)["SECRET_KEY"]
    assert first == second
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_sqlite_default_lives_in_the_data_directory(monkeypatch, tmp_path):
    fresh = _fresh_settings(monkeypatch, tmp_path)
    database = fresh["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert str(database["NAME"]) == str(tmp_path / "baolei.sqlite3")
    # Requests that may write run in one transaction (WriteRequestTransactionMiddleware);
    # reads run without one, so that on SQLite they never take the write lock.
    assert database["ATOMIC_REQUESTS"] is False
    assert fresh["MIDDLEWARE"][-1] == "baolei.transactions.WriteRequestTransactionMiddleware"


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/openapi.json"])
def test_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api_documentation_is_served(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/regions/{code}" in schema["paths"]
    assert "/api/me/" in schema["paths"]
    assert client.get("/api/docs").status_code == 200
