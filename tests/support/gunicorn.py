"""gunicorn serving the app in a subprocess, for browser, load and fault tests.

Starting and stopping wait on what the process does, not on the clock: `start` returns as soon
as the app answers and fails at once if gunicorn exits; `stop` asks for a graceful shutdown and
waits for the process to end. Each wait has a bound only so that a hung process cannot hold the
suite forever; on a busy two-core machine an app start can take tens of seconds, so the bounds
are generous and never the thing a test measures.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_BOUND = 300  # seconds: an app that has not answered by then is hung, not slow
STOP_GRACE = 5  # seconds gunicorn gives its workers to finish requests in flight
STOP_BOUND = 120


class Gunicorn:
    """One gunicorn process serving `wsgi:app` on 127.0.0.1:`port` with `env`."""

    def __init__(self, port: int, env: dict[str, str], log_path: Path, *, workers: int = 2):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start gunicorn and return once the app answers; raise with its log if it exits."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own server
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    str(self.workers),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--timeout",
                    "120",
                    "--graceful-timeout",
                    str(STOP_GRACE),
                    "wsgi:app",
                ],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_BOUND
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{self.log()}")
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=10):  # noqa: S310
                return True
        except urllib.error.HTTPError:
            return True  # the app is up, whatever it thinks of its own health
        except OSError:
            return False

    def stop(self) -> None:
        """Shut gunicorn down gracefully and wait for it to exit (killed if it hangs)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_BOUND)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
