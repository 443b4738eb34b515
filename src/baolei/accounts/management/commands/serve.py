"""`baolei serve`: the production WSGI server (gunicorn) and the background task worker,
started and stopped together."""

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand


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

    def handle(self, *args, bind, workers, no_worker, **options):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "baolei.settings"}
        children: list[subprocess.Popen] = []
        if not no_worker:
            # Jobs the previous worker died in the middle of would otherwise wait for ever.
            call_command("sweep_imports")
            children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "baolei", "db_worker", "--interval", "1"],
                    env={**env, "BAOLEI_AUDIT_CHANNEL": "system"},
                )
            )
        children.append(
            subprocess.Popen(
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
                env=env,
            )
        )
        self.stdout.write(f"Baolei is serving at http://{bind}/ (Ctrl+C stops it)")

        def stop(*_args):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
        codes = [child.returncode for child in children]
        if any(code not in (0, -signal.SIGTERM, -signal.SIGINT) for code in codes):
            raise SystemExit(1)
