"""Serve a 40-question portal section page through gunicorn, next to a bare Flask route that
returns the same HTML from memory, and load both from a separate process.

    .venv/bin/python bench/form_page.py [--seconds N] [--connections C] [--rounds R]

Both servers run one sync gunicorn worker on 127.0.0.1. Every form page request is rendered
afresh for the signed-in recipient (nothing is cached per person). Prints `name: value unit`
lines.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
CATEGORIES = ["certificate_rotation", "incident_readiness", "logging_monitoring"]
REMEDIATION = {
    "finding_title": "Control gap",
    "remediation": "Close the gap.",
    "frameworks": ["NIST CSF 2.0 GV.SC-08"],
}

# The bare app: returns the captured HTML, read once at import, for any GET.
BARE_APP = """\
import os
from flask import Flask

HTML = open(os.environ["BENCH_HTML"], encoding="utf-8").read()
app = Flask(__name__)


@app.get("/")
def page():
    return HTML
"""

# The load generator: C threads, each with one keep-alive http.client connection (it reopens
# the connection whenever the server closes it), for a fixed number of seconds.
LOAD_SCRIPT = """\
import http.client, json, sys, threading, time

port, path, cookie, seconds, connections = (
    int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
)
latencies, errors = [], [0]
lock = threading.Lock()
deadline = time.perf_counter() + seconds


def run():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    mine, bad = [], 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
            if response.will_close:
                conn.close()
        except (OSError, http.client.HTTPException):
            conn.close()
            ok = False
        if ok:
            mine.append(time.perf_counter() - started)
        else:
            bad += 1
            if bad > 1000:
                break
    conn.close()
    with lock:
        latencies.extend(mine)
        errors[0] += bad


started = time.perf_counter()
threads = [threading.Thread(target=run) for _ in range(connections)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - started
print(json.dumps({"latencies": latencies, "errors": errors[0], "elapsed": elapsed}))
"""


def _yes_no(qid: str, category: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "yes_no",
        "text": f"Have you completed control {qid}?",
        "category": category,
        "weight": 2,
        "options": [
            {"value": "yes", "label": "Yes", "score": 100},
            {"value": "no", "label": "No", "score": 0},
        ],
        **REMEDIATION,
    }


def _single(qid: str, category: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "single_choice",
        "text": f"How much of {qid} is covered?",
        "category": category,
        "weight": 3,
        "options": [
            {"value": "all", "label": "All", "score": 100, "evidence": "optional"},
            {"value": "most", "label": "Most", "score": 70},
            {"value": "some", "label": "Some", "score": 40},
            {"value": "none", "label": "None", "score": 0},
        ],
        **REMEDIATION,
    }


def _date(qid: str, category: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "date",
        "text": f"On what date was {qid} done?",
        "category": category,
        "weight": 2,
        "date_rule": {
            "reference": "compromise_date",
            "steps": [{"within_days": 7, "score": 100}, {"within_days": 30, "score": 50}],
            "after_score": 20,
        },
        **REMEDIATION,
    }


def _number(qid: str, category: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "number",
        "text": f"Within how many hours for {qid}?",
        "category": category,
        "weight": 1,
        "allow_na": True,
        "number_rule": {
            "direction": "lower_is_better",
            "steps": [{"max": 24, "score": 100}, {"max": 72, "score": 60}],
            "else_score": 0,
        },
        **REMEDIATION,
    }


def _text(qid: str, category: str) -> dict[str, Any]:
    return {"id": qid, "type": "text", "text": f"Who owns {qid}?", "required": False}


def template_yaml() -> str:
    """Return YAML for a template with one section of 40 questions of five types."""
    makers = [_yes_no, _single, _date, _number, _text]
    questions = [
        makers[i % len(makers)](f"q{i:02d}", CATEGORIES[i % len(CATEGORIES)]) for i in range(40)
    ]
    data = {
        "id": "bench-form-page",
        "kind": "incident",
        "title": "Form page benchmark",
        "description": "Forty questions on one page.",
        "reference_dates": [
            {"name": "compromise_date", "label": "Disclosed", "default": date(2021, 1, 12)}
        ],
        "categories": [{"id": c, "title": c.replace("_", " "), "weight": 1} for c in CATEGORIES],
        "sections": [{"id": "all", "title": "Everything", "questions": questions}],
    }
    return yaml.dump(data, Dumper=_NoAliases, sort_keys=False)


class _NoAliases(yaml.SafeDumper):
    """Write shared values out in full: uploaded templates refuse YAML aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start within {timeout:.0f} s")


def start_gunicorn(target: str, port: int, env: dict[str, str], cwd: Path, log: Path):
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [GUNICORN, "-w", "1", "-k", "sync", "-b", f"127.0.0.1:{port}", target],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wait_for_port(port, proc)
    return proc


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def build_database(url: str) -> tuple[str, int]:
    """Migrate a scratch database and seed it; return the link path and the assignment id."""
    from flask_migrate import upgrade

    from tests.conftest import make_user, test_config
    from tests.support.factories import (
        approved_version,
        create_campaign,
        make_vendor,
        portal_path,
    )
    from vendorrisk import create_app
    from vendorrisk.extensions import db

    app = create_app(test_config(url))
    with app.app_context():
        upgrade(revision="heads")
        version = approved_version(template_yaml())
        vendor = make_vendor(contacts=[("primary", "security")])
        campaign = create_campaign(
            version,
            [vendor],
            actor=make_user("manager"),
            due_date=date.today() + timedelta(days=14),
        )
        recipient = campaign.assignments[0].recipients[0]
        link = portal_path(recipient)
        assignment_id = recipient.assignment_id
        db.session.commit()
        db.engine.dispose()
    return link, assignment_id


def sign_in(port: int, link: str) -> tuple[urllib.request.OpenerDirector, str]:
    """Open the link, press Continue and return an opener with the cookies and the header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    landing = opener.open(base + link, timeout=30).read().decode()
    match = re.search(r'name="csrf_token" value="([^"]+)"', landing)
    if match is None:
        raise RuntimeError("no CSRF token on the landing page")
    body = urllib.parse.urlencode({"csrf_token": match.group(1)}).encode()
    opener.open(base + link, data=body, timeout=30).read()
    names = {c.name for c in jar}
    if "vr_portal" not in names:
        raise RuntimeError(f"Continue did not grant the portal cookie (got {sorted(names)})")
    return opener, "; ".join(f"{c.name}={c.value}" for c in jar)


def load(port: int, path: str, cookie: str, seconds: float, connections: int) -> dict:
    """Run the load script in its own process and return its counts."""
    out = subprocess.run(
        [PYTHON, "-c", LOAD_SCRIPT, str(port), path, cookie, str(seconds), str(connections)],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=True,
    )
    return json.loads(out.stdout)


def _rps(result: dict) -> float:
    return len(result["latencies"]) / result["elapsed"]


def _merged(results: list[dict]) -> dict:
    return {
        "latencies": [t for r in results for t in r["latencies"]],
        "errors": sum(r["errors"] for r in results),
        "elapsed": sum(r["elapsed"] for r in results),
    }


def summarise(name: str, result: dict) -> float:
    latencies = sorted(result["latencies"])
    if not latencies:
        raise RuntimeError(f"{name}: no successful requests ({result['errors']} errors)")
    rps = len(latencies) / result["elapsed"]
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] * 1000
    print(f"{name} rps: {rps:.1f} requests/s")
    print(f"{name} p95: {p95:.1f} ms")
    if result["errors"]:
        print(f"{name} errors: {result['errors']} requests")
    return rps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from tests.conftest import TEST_LINK_KEY

    workdir = Path(tempfile.mkdtemp(prefix="vr-bench-form-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    os.environ.pop("DATABASE_URL", None)
    app_proc = bare_proc = None
    try:
        link, assignment_id = build_database(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key",
            "LINK_KEY": TEST_LINK_KEY,
            "VENDORRISK_ENV": "development",
            "MAIL_TRANSPORT": "console",
        }
        app_port = free_port()
        app_proc = start_gunicorn("wsgi:app", app_port, env, ROOT, workdir / "app.log")
        opener, cookie = sign_in(app_port, link)
        section = f"/portal/a/{assignment_id}/s/0"
        html = opener.open(f"http://127.0.0.1:{app_port}{section}", timeout=30).read().decode()
        inputs = len(set(re.findall(r'name="a-(q\d\d)"', html)))
        if inputs != 40:
            raise RuntimeError(f"section page shows {inputs} questions, expected 40")
        (workdir / "page.html").write_text(html, encoding="utf-8")
        (workdir / "bare_app.py").write_text(textwrap.dedent(BARE_APP))

        bare_env = {**os.environ, "BENCH_HTML": str(workdir / "page.html")}
        bare_port = free_port()
        bare_proc = start_gunicorn(
            "bare_app:app", bare_port, bare_env, workdir, workdir / "bare.log"
        )

        print(f"form_page size: {len(html.encode()) / 1024:.1f} KiB")
        # Rounds alternate the two servers, so a change in the machine's load (it is shared)
        # touches both; the ratio printed is the median of the rounds' ratios.
        ratios, forms, bares = [], [], []
        for _ in range(args.rounds):
            forms.append(load(app_port, section, cookie, args.seconds, args.connections))
            bares.append(load(bare_port, "/", "", args.seconds, args.connections))
            ratios.append(_rps(forms[-1]) / _rps(bares[-1]))
        summarise("form_page", _merged(forms))
        summarise("bare_route", _merged(bares))
        ratios.sort()
        print(f"form_page ratio: {ratios[len(ratios) // 2]:.2f} x")
        print(f"load average (1 min): {os.getloadavg()[0]:.2f}")
    finally:
        stop(app_proc)
        stop(bare_proc)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
