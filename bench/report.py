"""Time the PDF reports against WeasyPrint alone, on a scratch SQLite database.

A vendor due-diligence report (three reviewed assessments of about 40 questions each, with
clarifications, overrides, findings and evidence) and a portfolio report of a 200-vendor
campaign are built the way the app builds them (report job, record gathered, HTML, render in a
child process, file stored), then the same HTML is rendered by WeasyPrint alone in-process.
Each build is timed twice and the faster run is kept. "weasyprint-only" is the same HTML
rendered by WeasyPrint in a fresh process that loads nothing else (warmed by one render);
"overhead ratio" is the whole build over that: gathering the record, the templates, the charts,
the child process and storing the file. WeasyPrint in the web process itself is slower than
either (its garbage collector walks the app's larger heap), which is one reason the app renders
in a child forked from a small render server.

The app's builds are PDF/A-3a with the record attached and, unless --unsigned, signed with a
throwaway key (PAdES), as a firm with a signing key configured would have them.

    .venv/bin/python bench/report.py [--vendors 200] [--out DIR] [--unsigned]

Prints `name: value unit` lines.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _mib(kib: int) -> float:
    return kib / 1024


# WeasyPrint alone, in a fresh process that imports nothing else: one render to warm its fonts
# and stylesheets, then the timed one.
_ALONE = """
import json, sys, time
from pathlib import Path
import weasyprint
html, base = Path(sys.argv[1]).read_text(), sys.argv[2]
def options():  # afresh for each render: an Attachment's source is read once
    if len(sys.argv) <= 3:
        return {}
    folder = Path(sys.argv[3])  # the same PDF/A-3a variant and attached files as the app's build
    return {
        "pdf_variant": sys.argv[4],
        "attachments": [
            weasyprint.Attachment(filename=str(path), name=path.name, relationship="Data")
            for path in sorted(folder.iterdir())
        ],
    }
weasyprint.HTML(string=html, base_url=base).write_pdf(**options())
started = time.perf_counter()
weasyprint.HTML(string=html, base_url=base).write_pdf(**options())
print(time.perf_counter() - started)
"""


def _weasyprint_alone(html: str, path: Path, files: tuple = ()) -> float:
    """Render `html` in a fresh process with WeasyPrint alone; with `files`, as PDF/A-3a with
    them attached, as the app's archival build does."""
    import subprocess

    from vendorrisk.reports.pdf import PDF_VARIANT, base_url

    path.write_text(html)
    extra: list[str] = []
    if files:
        folder = path.with_suffix(".files")
        folder.mkdir(exist_ok=True)
        for name, body, _ in files:
            (folder / name).write_bytes(body)
        extra = [str(folder), PDF_VARIANT]
    out = subprocess.run(
        [sys.executable, "-c", _ALONE, str(path), base_url(), *extra],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _signing_key(workdir: Path) -> dict:
    """Write a throwaway RSA key and self-signed certificate; return the settings naming them."""
    from tests.support.certs import signing_pair

    key_path, cert_path = signing_pair(workdir, "Bench Records")
    return {"REPORT_SIGNING_KEY": str(key_path), "REPORT_SIGNING_CERT": str(cert_path)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vendors", type=int, default=200)
    parser.add_argument("--out", help="keep the PDFs in this folder")
    parser.add_argument("--unsigned", action="store_true", help="build without a signing key")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="vr-bench-report-"))
    os.environ.pop("DATABASE_URL", None)

    from flask_migrate import upgrade

    from tests.conftest import make_user, test_config
    from tests.reports.seed import portfolio, rich_vendor
    from vendorrisk import create_app
    from vendorrisk.extensions import db
    from vendorrisk.reports import documents, jobs, pdf
    from vendorrisk.reports.builders.common import Limits, Meta
    from vendorrisk.reports.models import CAMPAIGN_PDF, DONE, VENDOR_PDF

    signing = {} if args.unsigned else _signing_key(workdir)
    app = create_app(
        test_config(
            f"sqlite:///{workdir / 'bench.db'}",
            UPLOAD_FOLDER=str(workdir / "uploads"),
            REPORT_FOLDER=str(workdir / "reports"),
            REPORT_RUNNER="inline",
            REPORT_RENDER_ISOLATION="process",
            **signing,
        )
    )
    with app.app_context():
        upgrade(revision="heads")
        started = time.perf_counter()
        vendor, _ = rich_vendor()
        campaign, _ = portfolio(args.vendors)
        requester = make_user("compliance", name="Bench Compliance")
        db.session.commit()
        print(f"report data seconds: {time.perf_counter() - started:.2f} s")
        config = app.config
        limits = Limits.from_config()
        # Start the render server once, as a running app would have it already.
        pdf.render("<p>warm-up</p>", timeout=60, max_bytes=10**6, max_html_bytes=10**6)

        results = {}
        for label, kind, subject, make_html in (
            ("vendor", VENDOR_PDF, vendor, documents.vendor_report),
            (f"campaign-{args.vendors}", CAMPAIGN_PDF, campaign, documents.campaign_report),
        ):
            # Twice, keeping the faster: the first pays for compiling templates once per process.
            timings = []
            for _ in range(2):
                job_id = jobs.request_report(kind, subject, requester).id
                db.session.commit()
                started = time.perf_counter()
                job = jobs.run(job_id)
                timings.append(time.perf_counter() - started)
                assert job.state == DONE, job.error
            total = min(timings)
            if args.out:
                Path(args.out).mkdir(parents=True, exist_ok=True)
                target = Path(args.out) / f"{label}.pdf"
                target.write_bytes(jobs.path_of(job.file_name).read_bytes())
            meta = Meta(
                document_id=job.document_id,
                generated_at=job.started_at,
                generated_by=requester.name,
                generated_role="Compliance officer",
            )
            html, files = make_html(db.session.get(type(subject), subject.id), meta, limits)
            isolated = pdf.render(
                html,
                timeout=config["REPORT_RENDER_TIMEOUT"],
                max_bytes=config["REPORT_MAX_PDF_BYTES"],
                max_html_bytes=config["REPORT_MAX_HTML_BYTES"],
            )
            results[label] = (total, job.pages, html, files, isolated.peak_rss_kib)
            db.session.commit()
        parent_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        for label, (total, pages, html, files, _) in results.items():
            only = _weasyprint_alone(html, workdir / f"{label}.html")
            archival = _weasyprint_alone(html, workdir / f"{label}-archival.html", files)
            started = time.perf_counter()
            pdf.render_inline(
                html,
                timeout=config["REPORT_RENDER_TIMEOUT"],
                max_bytes=config["REPORT_MAX_PDF_BYTES"],
            )
            in_web_process = time.perf_counter() - started
            print(f"report {label} pages: {pages} pages")
            print(f"report {label} html size: {len(html) / 1024:.0f} KiB")
            print(f"report {label} seconds: {total:.2f} s")
            print(f"report {label} weasyprint-only seconds: {only:.2f} s")
            print(f"report {label} overhead ratio: {total / only:.2f} x")
            print(f"report {label} weasyprint-only archival seconds: {archival:.2f} s")
            print(
                f"report {label} overhead ratio over the archival render: {total / archival:.2f} x"
            )
            print(f"report {label} weasyprint in the web process seconds: {in_web_process:.2f} s")
        child_peak = max(peak for *_, peak in results.values())
        print(f"report peak memory: {_mib(max(parent_peak, child_peak)):.0f} MiB")
        print(f"report web process peak memory: {_mib(parent_peak):.0f} MiB")
        print(f"report renderer peak memory: {_mib(child_peak):.0f} MiB")


if __name__ == "__main__":
    main()
