"""`baolei serve` supervises its two processes: a task worker killed outright (SIGKILL,
as the kernel's out-of-memory killer does) is started again, and the site answers all
the while; a killed web server comes back too."""

import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

COME_BACK_WITHIN = 20  # seconds: the first restart waits 1 s


def _children(site, marker: str) -> list[int]:
    """Processes of this site (started in its data directory) whose command line holds
    `marker`: found through /proc, as an operator would with `ps`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) != site.data_dir:
                continue
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            status = (entry / "status").read_text()
        except OSError:  # gone meanwhile
            continue
        if "State:\tZ" in status:
            continue
        if any(marker.encode() in part for part in cmdline):
            found.append(int(entry.name))
    return sorted(found)


def _answers(site) -> int | str:
    try:
        with urllib.request.urlopen(site("/accounts/login/"), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return repr(error)


def _parent(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    return 0


def test_a_killed_worker_comes_back_and_the_site_answers_meanwhile(site):
    (worker,) = _children(site, "db_worker")

    os.kill(worker, signal.SIGKILL)
    killed = time.monotonic()

    answers = []
    back = []
    while time.monotonic() - killed < COME_BACK_WITHIN:
        answers.append(_answers(site))
        back = [pid for pid in _children(site, "db_worker") if pid != worker]
        if back:
            break
        time.sleep(0.2)
    took = time.monotonic() - killed

    assert back, f"no worker {COME_BACK_WITHIN} s after SIGKILL"
    assert set(answers) == {200}, answers
    print(f"the worker came back {took:.1f} s after SIGKILL")
    time.sleep(2)
    assert back[0] in _children(site, "db_worker")  # and stays up
    log = (site.data_dir / "server.log").read_text()
    assert f"task worker (pid {worker}) killed by SIGKILL" in log
    assert f"task worker restarted (pid {back[0]})" in log


def _gunicorn_masters(site) -> list[int]:
    """gunicorn's master: the gunicorn process whose parent is not gunicorn."""
    masters = []
    for pid in _children(site, "gunicorn"):
        try:
            parent = Path(f"/proc/{_parent(pid)}/cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" not in parent:
            masters.append(pid)
    return masters


def test_a_killed_web_server_comes_back(site):
    (master,) = _gunicorn_masters(site)

    os.kill(master, signal.SIGKILL)
    killed = time.monotonic()

    deadline = killed + 90  # orphaned gunicorn workers hold the port until they notice
    while time.monotonic() < deadline:
        log = (site.data_dir / "server.log").read_text()
        restarted = [pid for pid in _gunicorn_masters(site) if pid != master]
        if "web server (gunicorn) restarted" in log and restarted and _answers(site) == 200:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"the web server did not come back:\n{log[-3000:]}")
    assert f"web server (gunicorn) (pid {master}) killed by SIGKILL" in log
    assert _children(site, "db_worker")  # the worker went on
