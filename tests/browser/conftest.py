"""End-to-end fixtures: a real Baolei server process and Debian's Chromium.

The tests drive the production configuration (`baolei serve`: gunicorn, whitenoise, the
task worker) rather than Django's live_server, because the audit table's triggers forbid
DELETE and so the transactional flushes live_server relies on are impossible on SQLite.

The database is SQLite in a temporary data directory, or, when DATABASE_URL points at
PostgreSQL, a fresh database on the same server that is dropped afterwards.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "src" / "baolei" / "static" / "vendor"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COUNTY = "420222"  # 阳新县
SECRET_KEY = "baolei-browser-tests-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
STARTUP_TIMEOUT = 60
STOP_TIMEOUT = 20
# Factory numbers per seeding run: household numbers have five digits for the sequence.
SEQUENCE_BLOCK = 4000

CREATE_USERS = """
import django
django.setup()
from baolei.accounts import services
from baolei.accounts.models import User
from baolei.accounts.permissions import Role
from baolei.regions.models import Region

admin = User.objects.create_superuser("browser_admin", password={admin_password!r})
services.do_create_user(
    admin,
    username={username!r},
    password={password!r},
    role=Role.ORGANISATION_DEPARTMENT,
    scope_region=Region.objects.get(code={county!r}),
    full_name="阳新县委组织部",
)
"""


@dataclass(frozen=True)
class Site:
    url: str  # the base URL, without a trailing slash
    username: str  # a county organisation department user for 阳新县
    password: str
    env: dict[str, str]  # the server's environment: its data directory or database
    data_dir: Path

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def run_python(self, script: str) -> str:
        """Run a Django script against the server's own database; return its output.

        Tests seed the data they need this way, as an administrator at the shell would."""
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "baolei.settings"}
        env["BAOLEI_AUDIT_CHANNEL"] = "command"
        result = subprocess.run(
            [sys.executable, "-c", self._sequences_after_the_last_run() + script],
            env=env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"Seeding failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
        return result.stdout

    def _sequences_after_the_last_run(self) -> str:
        """Each seeding runs in a process of its own, where the test factories would count
        from zero again and make the ID numbers, household numbers and names the previous
        seeding made: every run's counters start after the previous run's."""
        runs = self.data_dir / "seeding-runs"
        run = int(runs.read_text()) + 1 if runs.exists() else 0
        runs.write_text(str(run))
        start = run * SEQUENCE_BLOCK
        return (
            "import factory.base\n"
            f"factory.base.BaseFactory._setup_next_sequence = classmethod(lambda cls: {start})\n"
        )


@pytest.hookimpl(tryfirst=True)  # before `-m "not browser"` deselects
def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict[str, str], cwd: Path) -> None:
    result = subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"Setting up the browser-test site failed: {' '.join(args[:4])} ...\n"
            f"exit code {result.returncode}\n--- stdout ---\n{result.stdout}\n"
            f"--- stderr ---\n{result.stderr}",
            pytrace=False,
        )


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in ("postgres", "postgresql", "pgsql", "postgis")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), autocommit=True
    )


class _Postgres:
    """A throwaway database on the server DATABASE_URL names."""

    def __init__(self, url: str):
        self.url = url
        self.name = f"baolei_browser_{os.getpid()}"

    def create(self) -> str:
        with _admin_connection(self.url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return _with_database(self.url, self.name)

    def drop(self) -> None:
        with _admin_connection(self.url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = ""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as error:
            last_error = str(error)
        time.sleep(0.5)
    state = (
        f"exited with code {server.returncode}"
        if server.poll() is not None
        else f"did not answer 200 within {STARTUP_TIMEOUT} s (last: {last_error})"
    )
    _stop(server)
    pytest.fail(
        f"The Baolei server at {url} {state}.\n--- server output ---\n{log.read_text()}",
        pytrace=False,
    )


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()  # `baolei serve` stops gunicorn and the worker on SIGTERM
    try:
        server.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        # The server was started in its own session: its group is only its own children.
        os.killpg(server.pid, 9)
        server.wait(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="session")
def site():
    if not (VENDOR / "htmx.min.js").exists():
        pytest.fail(
            f"{VENDOR / 'htmx.min.js'} is missing: run `make assets` before the browser tests.",
            pytrace=False,
        )
    data_dir = Path(tempfile.mkdtemp(prefix="baolei-browser-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BAOLEI_", "DJANGO_", "DATABASE_"))
        and key not in ("SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS")
    }
    env.update(
        BAOLEI_DATA_DIR=str(data_dir),
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    postgres = None
    if _is_postgres(os.environ.get("DATABASE_URL", "")):
        postgres = _Postgres(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = postgres.create()

    server = None
    try:
        baolei = [sys.executable, "-m", "baolei"]
        _run([*baolei, "migrate", "--noinput"], env, data_dir)
        _run([*baolei, "load-regions", "--only", COUNTY], env, data_dir)
        _run([*baolei, "collectstatic", "--noinput", "--verbosity", "0"], env, data_dir)
        username, password = "browser_zuzhibu", "Yangxin-Browser-2024"
        script = CREATE_USERS.format(
            admin_password="Admin-Browser-2024-x",
            username=username,
            password=password,
            county=COUNTY,
        )
        _run(
            [sys.executable, "-c", script],
            {**env, "DJANGO_SETTINGS_MODULE": "baolei.settings", "BAOLEI_AUDIT_CHANNEL": "command"},
            data_dir,
        )

        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = data_dir / "server.log"
        with log.open("w") as log_file:
            server = subprocess.Popen(
                [*baolei, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                env=env,
                cwd=data_dir,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_until_up(url + "/accounts/login/", server, log)
        yield Site(url=url, username=username, password=password, env=env, data_dir=data_dir)
    finally:
        if server is not None:
            _stop(server)
        if postgres is not None:
            postgres.drop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # An English browser on purpose: Baolei must still start in Chinese.
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(site):
    """Log a page in as the county organisation department user."""

    def login(page, username: str = site.username, password: str = site.password):
        page.goto(site("/accounts/login/"))
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form.box button[type=submit]")

    return login


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (390x844, touch), also with an English browser language."""
    context = browser.new_context(
        locale="en-US",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
