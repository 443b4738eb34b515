"""A long write elsewhere must not stop the site from answering.

Against the real server (`baolei serve`, SQLite in WAL mode or PostgreSQL): while another
connection holds a write transaction, or an import is validating and loading, pages and
the API still answer at once. On SQLite only one connection may write at a time, so
these tests are about SQLite by nature; on PostgreSQL they hold as well and run there
too, proving the same behaviour.
"""

import http.cookiejar
import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
FAST = 3.0  # seconds: far below SQLite's busy timeout (20 s), what "at once" means here

TOKEN = """
import django
django.setup()
from baolei.accounts import services
from baolei.accounts.models import User

print(services.do_create_token(User.objects.get(username={username!r}), "lock test")[1])
"""


def _log_in(site) -> str:
    """The session cookie of the county user, logged in through the login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(site("/accounts/login/"), timeout=30) as response:
        form = response.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": site.username, "password": site.password}
    ).encode()
    request = urllib.request.Request(
        site("/accounts/login/"), data=body, headers={"Referer": site("/accounts/login/")}
    )
    with opener.open(request, timeout=30):
        pass
    return next(cookie.value for cookie in jar if cookie.name == "sessionid")


@pytest.fixture(scope="module")
def credentials(site):
    """A fresh API token (never used, so its first call records its use) and a
    logged-in session of the county user."""
    token = site.run_python(TOKEN.format(username=site.username)).split()[-1]
    return token, _log_in(site)


def get(site, path: str, *, token: str = "", session: str = "") -> tuple[int, float]:
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if session:
        headers["Cookie"] = f"sessionid={session}"
    request = urllib.request.Request(site(path), headers=headers)
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            if urlsplit(response.url).path != urlsplit(site(path)).path:  # to the login page
                return f"{response.status} at {response.url}", time.monotonic() - began
            return response.status, time.monotonic() - began
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - began
    except OSError as error:  # the server went down
        return repr(error), time.monotonic() - began


def _postgres_url(site) -> str | None:
    url = site.env.get("DATABASE_URL", "")
    if urlsplit(url).scheme in ("postgres", "postgresql"):
        return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))
    return None


@contextmanager
def write_transaction(site):
    """Another connection in the middle of a write transaction, as a long import or a
    clerk's save holds it."""
    url = _postgres_url(site)
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            conn.execute("UPDATE regions_region SET name = name WHERE code = '420222'")
            yield
            conn.rollback()
        return
    conn = sqlite3.connect(site.data_dir / "baolei.sqlite3", isolation_level=None, timeout=5)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE regions_region SET name = name WHERE code = '420222'")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def quick_write(site) -> float:
    """A short write of another connection, as a clerk's save makes; how long it took.
    Refused (an exception) if it had to wait more than FAST seconds for the lock."""
    began = time.monotonic()
    url = _postgres_url(site)
    if url:
        import psycopg

        with psycopg.connect(url, options=f"-c lock_timeout={int(FAST * 1000)}") as conn:
            conn.execute("UPDATE regions_region SET name = name WHERE code = '420222001'")
    else:
        conn = sqlite3.connect(site.data_dir / "baolei.sqlite3", isolation_level=None, timeout=FAST)
        try:
            conn.execute("UPDATE regions_region SET name = name WHERE code = '420222001'")
        finally:
            conn.close()
    return time.monotonic() - began


def test_reads_answer_at_once_while_another_connection_holds_a_write_transaction(site, credentials):
    token, session = credentials

    with write_transaction(site):
        answers = {
            "API /api/me/ (token)": get(site, "/api/me/", token=token),
            "API /api/me/ (session)": get(site, "/api/me/", session=session),
            "region list page": get(site, "/regions/?q=%E5%85%B4%E5%9B%BD", session=session),
            "household list page": get(site, "/registry/households/", session=session),
        }

    slow = {name: (status, round(took, 2)) for name, (status, took) in answers.items()}
    assert all(status == 200 and took < FAST for status, took in answers.values()), slow


SLOW_IMPORT = """
import pathlib, sys, time
sys.path.insert(0, {repo!r})
import django
django.setup()
from django.core.files.base import ContentFile
from baolei.accounts.permissions import Role
from baolei.accounts.scope import Scope
from baolei.imports import jobs
from baolei.imports.pipeline import get_sheet
from baolei.regions.models import Region
from tests.imports.registry_files import register, xlsx_bytes

signals = pathlib.Path({signals!r})
importer = get_sheet("households").importer
validate, load = importer.validate, importer.load


checks = []


def slow_validate(self, table):
    checks.append(1)
    Region.objects.filter(code="420222").exists()  # the check has begun reading
    (signals / "validating").touch()
    time.sleep({pause})
    return validate(self, table)


def slow_load(self, plan, progress):
    counts = load(self, plan, progress)
    (signals / "loaded").touch()
    time.sleep({pause})
    return counts


importer.validate, importer.load = slow_validate, slow_load
job = jobs.do_create_job(
    kind="households",
    upload=ContentFile(xlsx_bytes(register(40)), name="slow.xlsx"),
    filename="slow.xlsx",
    scope=Scope(role=Role.SYSTEM_ADMIN, region_code=None),
    channel="command",
)
jobs.run_job(job)
print(json.dumps({{"status": job.status, "counts": job.counts, "checks": len(checks)}}))
"""


def _wait_for(path: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"the import ended early:\n{process.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{path.name} was never reached")
        time.sleep(0.1)


def test_a_long_import_blocks_neither_reads_nor_other_writes_while_it_validates(
    site, credentials, tmp_path
):
    """Checking a large file against the register takes long and writes nothing: it
    must not hold the write lock. The load itself does, briefly, and reads go on."""
    token, session = credentials
    script = "import json\n" + SLOW_IMPORT.format(repo=str(REPO), signals=str(tmp_path), pause=5)
    env = {**site.env, "DJANGO_SETTINGS_MODULE": "baolei.settings"}
    importing = subprocess.Popen(
        [sys.executable, "-c", script],
        env=env,
        cwd=site.data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(tmp_path / "validating", importing)
        during_validation = get(site, "/api/me/", token=token)
        wrote_in = quick_write(site)  # refused if the import held the lock
        _wait_for(tmp_path / "loaded", importing)
        during_load = get(site, "/registry/households/", session=session)
        out, err = importing.communicate(timeout=120)
    finally:
        if importing.poll() is None:
            importing.kill()
            importing.wait()

    assert during_validation[0] == 200 and during_validation[1] < FAST, during_validation
    assert wrote_in < FAST
    assert during_load[0] == 200 and during_load[1] < FAST, during_load
    outcome = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"stderr": err}
    assert outcome.get("status") == "done", outcome
    assert outcome["counts"]["rows"] == 120  # 40 households of three: all of it loaded
    if not _postgres_url(site):
        # The register changed while the file was checked: SQLite refused the load's
        # first write, and the check ran again on the register as it now is.
        assert outcome["checks"] == 2, outcome
