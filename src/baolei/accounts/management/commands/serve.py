"""`baolei serve`: the production WSGI server (gunicorn) and the background task worker,
started, watched and stopped together.

Each is a child process under supervision: one that dies (a crash, an out-of-memory
kill, a database it lost) is started again and the reason written to the log, while the
other goes on — a dead worker never takes the site down, and a dead web server comes
back. A child that keeps dying is restarted after a growing pause (1 s, 2 s, 4 s … at
most 30 s), so a crash loop does not spin; one that has run for a minute is back to the
shortest pause. SIGTERM or Ctrl+C stops both.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.core.management import call_command
from django.core.management.base import BaseCommand

FIRST_PAUSE = 1.0  # seconds before restarting a child that died, doubled each time
LONGEST_PAUSE = 30.0
STEADY_AFTER = 60.0  # a child alive this long is well again: its next pause is the first
STOP_TIMEOUT = 20.0
POLL = 0.25


def _why(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exited with status {returncode}"


@dataclass
class Child:
    """One supervised program: its command, the running process, when to restart it."""

    name: str
    args: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None
    started: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    history: list[int] = field(default_factory=list)  # pids, oldest first

    def start(self) -> None:
        # A group of its own, so that what it leaves behind can be ended with it.
        self.process = subprocess.Popen(self.args, env=self.env, process_group=0)
        self.started = time.monotonic()
        self.restart_at = None
        self.history.append(self.process.pid)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def end_leftovers(self) -> None:
        """Kill what the dead process left running: gunicorn's workers outlive a killed
        master and hold the port, so a new master could not bind until they notice."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


class Command(BaseCommand):
    help = "Serve Baolei with gunicorn and run the background task worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BAOLEI_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3))
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the task worker."
        )

    def log(self, message: str) -> None:
        self.stdout.write(f"[baolei serve] {message}")
        self.stdout.flush()

    def handle(self, *args, bind, workers, no_worker, **options):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "baolei.settings"}
        children: list[Child] = []
        if not no_worker:
            # Jobs the previous worker died in the middle of would otherwise wait for ever.
            call_command("sweep_imports")
            children.append(
                Child(
                    "task worker",
                    [sys.executable, "-m", "baolei", "db_worker", "--interval", "1"],
                    {**env, "BAOLEI_AUDIT_CHANNEL": "system"},
                )
            )
            # Recounts the regions that writes marked: the command centre's figures are
            # about a second behind the write that moved them.
            children.append(
                Child(
                    "indicator refresher",
                    [sys.executable, "-m", "baolei", "refresh_indicators", "--loop"],
                    {**env, "BAOLEI_AUDIT_CHANNEL": "system"},
                )
            )
        children.append(
            Child(
                "web server (gunicorn)",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "baolei.wsgi:application",
                    "--bind",
                    bind,
                    "--workers",
                    str(workers),
                    "--timeout",
                    "120",
                    "--access-logfile",
                    "-",
                    # gunicorn's control socket is one fixed path per OS user: two sites
                    # on one machine (demo and tests) would fight over it.
                    "--no-control-socket",
                ],
                env,
            )
        )
        stopping = []

        def stop(signum, _frame):
            if not stopping:
                self.log(f"{signal.Signals(signum).name}: stopping")
            stopping.append(signum)
            for child in children:
                if child.alive():
                    child.process.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for child in children:
            child.start()
            self.log(f"{child.name} started (pid {child.process.pid})")
        self.stdout.write(f"Baolei is serving at http://{bind}/ (Ctrl+C stops it)")
        try:
            while not stopping:
                self._supervise(children)
                time.sleep(POLL)
        finally:
            for child in children:
                if child.alive():
                    child.process.terminate()
            for child in children:
                if child.process is None:
                    continue
                try:
                    child.process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    child.process.kill()
                    child.process.wait()
        codes = [child.process.returncode for child in children if child.process is not None]
        if any(code not in (0, -signal.SIGTERM, -signal.SIGINT) for code in codes):
            raise SystemExit(1)

    def _supervise(self, children: list[Child]) -> None:
        now = time.monotonic()
        for child in children:
            if child.alive():
                if child.failures and now - child.started >= STEADY_AFTER:
                    child.failures = 0
                continue
            if child.restart_at is None:
                child.end_leftovers()
                child.failures += 1
                pause = min(LONGEST_PAUSE, FIRST_PAUSE * 2 ** (child.failures - 1))
                child.restart_at = now + pause
                self.log(
                    f"{child.name} (pid {child.process.pid}) {_why(child.process.returncode)} "
                    f"after {now - child.started:.1f} s; restarting it in {pause:.0f} s"
                )
            elif now >= child.restart_at:
                child.start()
                self.log(f"{child.name} restarted (pid {child.process.pid})")
