"""The command centre's figures follow the writes of a running site: `baolei serve`'s
refresher recounts a marked village and its ancestors about a second after the write,
and a refresher killed outright comes back and catches up."""

import os
import signal
import time

from tests.browser.test_serve_supervision import _children

CURRENT_WITHIN = 15  # seconds; the refresher looks every second
VILLAGE = "420222100001"

SETUP = """
import sys
sys.path.insert(0, {repo!r})
import django
django.setup()
"""
COUNT = """
from baolei.dashboard.models import RollUp
for code in ("", "{village}"[:6], "{village}"):
    row = RollUp.objects.filter(region_code=code, measure="households", year=0).first()
    print(row.value if row else 0)
"""

ADD = """
from tests.registry.factories import HouseholdFactory
HouseholdFactory.create_batch({n})
"""


def _run(site, script: str) -> str:
    from tests.browser.conftest import REPO

    return site.run_python(SETUP.format(repo=str(REPO)) + script)


def _households(site) -> list[int]:
    return [int(line) for line in _run(site, COUNT.format(village=VILLAGE)).split()]


def _until_changed(site, before: list[int], by: int) -> float:
    started = time.monotonic()
    while time.monotonic() - started < CURRENT_WITHIN:
        if _households(site) == [value + by for value in before]:
            return time.monotonic() - started
        time.sleep(0.3)
    raise AssertionError(
        f"figures {_households(site)} not {before} + {by} after {CURRENT_WITHIN} s"
    )


def test_a_write_reaches_the_nation_figure_within_seconds(site):
    before = _households(site)
    _run(site, ADD.format(n=3))
    took = _until_changed(site, before, 3)
    print(f"current {took:.1f} s after the write (village, county and nation)")


def test_a_killed_refresher_comes_back_and_catches_up(site):
    (refresher,) = _children(site, "refresh_indicators")
    os.kill(refresher, signal.SIGKILL)
    before = _households(site)
    _run(site, ADD.format(n=2))  # written while no refresher runs
    _until_changed(site, before, 2)
    back = [pid for pid in _children(site, "refresh_indicators") if pid != refresher]
    assert back
    log = (site.data_dir / "server.log").read_text()
    assert f"indicator refresher (pid {refresher}) killed by SIGKILL" in log
