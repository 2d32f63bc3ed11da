"""Starting the app or a command loads no heavy library that only some pages and jobs use."""

import json
import subprocess  # nosec B404 - runs the interpreter on a fixed script
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Each costs a noticeable share of a command's start and is needed only by the page, export or
# job that uses it: PDF rendering, charts, workbooks, SBOM and CSAF checks, version ranges.
HEAVY = ("weasyprint", "pygal", "openpyxl", "cyclonedx", "jsonschema", "univers", "fontTools")

SCRIPT = """
import json, sys
from vendorrisk import create_app
app = create_app(dict(SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY="k", LINK_KEY="l"))
with app.app_context():
    ACTION
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)))
"""


def _loaded_after(action: str) -> list[str]:
    script = SCRIPT.replace("ACTION", action).replace("HEAVY", repr(set(HEAVY)))
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "action",
    [
        "pass",  # what every command and worker pays: `flask --help`, `flask outbox send`
        "app.test_cli_runner().invoke(args=['--help'])",
        "from sqlalchemy.orm import configure_mappers; configure_mappers()",
    ],
    ids=["create_app", "cli-help", "mappers"],
)
def test_starting_the_app_loads_no_heavy_library(action):
    """Creating the app (and listing its commands) imports none of the heavy libraries."""
    assert _loaded_after(action) == []


def test_the_heavy_libraries_are_still_found_where_they_are_used():
    """The check above is meaningful: the PDF fetcher and the charts do load their libraries."""
    loaded = _loaded_after(
        "from vendorrisk.reports import pdf; pdf.SafeFetcher; "
        "from vendorrisk.charts import bar_chart; bar_chart('t', ['a'], [1])"
    )
    assert "weasyprint" in loaded
    assert "pygal" in loaded
