"""Issue 20, the sweep: long and pathological values (nested brackets, 50,000 characters, huge
CSV headers and rows, deep YAML and JSON) go into every text input, import and upload, and no
request's work may grow faster than its input.

Each case is sent at two sizes, four times apart. The Python lines a request executes are
counted (deterministic: the same input runs the same lines anywhere); linear work grows about
four times, quadratic sixteen, so more than twelve fails. CPU time is compared too, for work
done in C (a quadratic `list.count` runs no Python lines): best of three runs each, with the
same factor and a 50 ms allowance, so a busy machine cannot make a linear request fail.
"""

import pytest

from tests.advisories.helpers import make_advisory
from tests.portal.helpers import section_url
from tests.support import abuse
from tests.support.factories import make_vendor
from vendorrisk.api.tokens import create_token

FACTOR = 12
ALLOWANCE = 0.05  # seconds of CPU


def _check(case: abuse.Case, client) -> None:
    def send(size: int, salt: int):
        response = case.send(client, size, salt)
        assert response.status_code < 500, (case.name, size, response.status_code)
        return response

    send(abuse.SMALL, 0)  # templates compiled, caches warm
    small = abuse.lines_executed(lambda: send(abuse.SMALL, 1))
    large = abuse.lines_executed(lambda: send(abuse.LARGE, 2))
    assert large <= FACTOR * small, f"{case.name}: {small} lines, then {large} at 4x the size"
    small_cpu = min(abuse.cpu_seconds(lambda i=i: send(abuse.SMALL, 10 + i)) for i in range(3))
    large_cpu = min(abuse.cpu_seconds(lambda i=i: send(abuse.LARGE, 20 + i)) for i in range(3))
    assert large_cpu <= FACTOR * small_cpu + ALLOWANCE, (
        f"{case.name}: {small_cpu:.3f} s of CPU, then {large_cpu:.3f} s at 4x the size"
    )


def _staff_cases() -> list[abuse.Case]:
    ids = {"advisory": "slug", "vendor": 1}
    return abuse.staff_cases(ids, {})


STAFF = [case.name for case in _staff_cases()]
ANONYMOUS = [case.name for case in abuse.anonymous_cases()]


@pytest.fixture
def admin_client(client, auth, db_session):
    user = auth.login("admin")
    advisory = make_advisory()
    vendor = make_vendor("Sweep Vendor Ltd")
    headers = {"Authorization": "Bearer " + create_token(user, "sweep")[1]}
    cases = abuse.staff_cases({"advisory": advisory.slug, "vendor": vendor.id}, headers)
    return client, {case.name: case for case in cases}


@pytest.mark.parametrize("name", STAFF)
def test_a_staff_request_does_work_linear_in_its_input(admin_client, name):
    client, cases = admin_client
    _check(cases[name], client)


@pytest.mark.parametrize("name", ANONYMOUS)
def test_an_anonymous_request_does_work_linear_in_its_input(app, db_session, name):
    cases = {case.name: case for case in abuse.anonymous_cases()}
    _check(cases[name], app.test_client())


def test_every_portal_answer_takes_work_linear_in_its_input(vendor_client, aid):
    paths = []
    for index in range(10):
        if vendor_client.get(section_url(aid, index)).status_code != 200:
            break
        paths.append(section_url(aid, index))
    assert len(paths) >= 2
    for case in abuse.portal_cases(paths):
        _check(case, vendor_client)


def test_the_form_filler_fills_every_text_field_and_keeps_the_rest():
    """The sweep's own helper: text fields get the payload, hidden and select fields keep
    their values."""
    page = (
        '<form method="get"><input name="q"></form>'
        '<form method="post" action="/x"><input type="hidden" name="csrf_token" value="t">'
        '<input type="text" name="a"><textarea name="b"></textarea>'
        '<input type="hidden" name="version" value="3">'
        '<select name="c"><option value="">None</option><option value="k">K</option></select>'
        '<input type="file" name="f"><input type="checkbox" name="d" value="y"></form>'
    )
    assert abuse.form_data(page, "P") == (
        "/x",
        {"a": "P", "b": "P", "version": "3", "c": "k", "d": "y"},
    )
