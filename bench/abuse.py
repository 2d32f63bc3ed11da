"""Send the abuse corpus (tests/support/abuse.py) at its large size and name the slowest request.

Prints `abuse worst: N ms` and the case it came from, plus `abuse cases: N`. Runs alone on a
temporary SQLite database: `.venv/bin/python bench/abuse.py`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from tests.conftest import PASSWORD, CSRFClient, make_user, test_config  # noqa: E402
from tests.support import abuse  # noqa: E402


def _sign_in(client, email: str, secret: str | None) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    if secret:
        code = pyotp.TOTP(secret).now()
        response = client.post("/login/code", data={"code": code})
    if response.status_code != 302:
        raise SystemExit(f"abuse: could not sign in ({response.status_code})")


def main() -> int:
    from tests.advisories.helpers import make_advisory
    from tests.support.factories import make_vendor
    from vendorrisk import create_app
    from vendorrisk.api.tokens import create_token
    from vendorrisk.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="vr-bench-abuse-"))
    try:
        app = create_app(test_config(f"sqlite:///{workdir / 'abuse.db'}"))
        app.test_client_class = CSRFClient
        with app.app_context():
            upgrade(revision="heads")
            admin = make_user("admin", email="admin@firm.example")
            advisory = make_advisory()
            vendor = make_vendor("Abuse Bench Ltd")
            token = create_token(admin, "abuse bench")[1]
            ids = {"advisory": advisory.slug, "vendor": vendor.id}
            db.session.commit()
            email, secret = admin.email, admin.totp_secret
            db.session.remove()
        client = app.test_client()
        _sign_in(client, email, secret)
        cases = [(c, client) for c in abuse.staff_cases(ids, {"Authorization": f"Bearer {token}"})]
        cases += [(c, app.test_client()) for c in abuse.anonymous_cases()]
        worst_ms, worst_name = 0.0, ""
        for salt, (case, case_client) in enumerate(cases):
            case.send(case_client, abuse.SMALL, 2 * salt)  # templates compiled, caches warm
            start = time.perf_counter()
            response = case.send(case_client, abuse.LARGE, 2 * salt + 1)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code >= 500:
                print(f"abuse: {case.name} answered {response.status_code}", file=sys.stderr)
                return 1
            if elapsed > worst_ms:
                worst_ms, worst_name = elapsed, case.name
        print(f"abuse cases: {len(cases)}")
        print(f"abuse worst: {worst_ms:.0f} ms")
        print(f"abuse worst request: {worst_name}")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
