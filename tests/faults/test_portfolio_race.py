"""Several hosts bring the stored portfolio state up to date at once (as each one's first page
after a change does): they take turns on the mark row, none fails, and the stored state ends
equal to a full computation. The scratch database is committed to, as hosts share it."""

from __future__ import annotations

import threading
from datetime import date

from tests.faults.conftest import migrated_app
from tests.support.factories import make_vendor
from vendorrisk.dashboard import snapshot
from vendorrisk.extensions import db
from vendorrisk.vendors import services as vendors

HOSTS = 4


def _race(apps) -> list[BaseException]:
    start = threading.Barrier(len(apps))
    failures: list[BaseException] = []

    def host(app) -> None:
        with app.app_context():
            try:
                start.wait(60)
                snapshot.portfolio()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=host, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(t.is_alive() for t in threads), "a host never finished"
    return failures


def test_hosts_bringing_the_state_up_to_date_at_once_take_turns_and_agree(scratch_url):
    # One app per host: each has its own connection pool and its own memory.
    apps = [migrated_app(scratch_url) for _ in range(HOSTS)]
    with apps[0].app_context():
        made = [make_vendor(f"Raced {i} Ltd", criticality="high") for i in range(6)]
        ids = [v.id for v in made]
        db.session.commit()

    assert _race(apps) == []  # the first build, from an empty state
    with apps[0].app_context():
        for vendor_id in ids[:3]:
            vendors.update_vendor(
                db.session.get(type(made[0]), vendor_id),
                {"criticality": "low", "data_access": "none"},
            )
        db.session.commit()

    assert _race(apps) == []  # an update of the vendors concerned
    with apps[0].app_context():
        stored = snapshot.stored_states()
        assert stored == snapshot.compute(date.today())
        assert {stored[i].inherent for i in ids[:3]} == {4}
        db.session.remove()
