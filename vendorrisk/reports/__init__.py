"""Due-diligence reports (PDF, built in the background) and spreadsheet exports."""

from flask import Flask

DEFAULTS = {
    # "auto": RQ when REDIS_URL is set, else a worker thread; "thread", "rq" or "inline".
    "REPORT_RUNNER": "auto",
    "REPORT_THREADS": 1,
    # None: instance/reports/
    "REPORT_FOLDER": None,
    # "auto": a killable child process, except inside an RQ work horse (RQ kills that itself).
    "REPORT_RENDER_ISOLATION": "auto",
    "REPORT_RENDER_TIMEOUT": 600,
    "REPORT_MAX_PDF_BYTES": 60 * 1024 * 1024,
    "REPORT_MAX_HTML_BYTES": 40 * 1024 * 1024,
    "REPORT_MAX_ANSWER_CHARS": 3000,
    "REPORT_MAX_ANSWER_ROWS": 5000,
    "REPORT_MAX_AUDIT_ROWS": 2000,
    "REPORT_MAX_VENDORS": 2000,
    "REPORT_MAX_ASSESSMENTS": 40,
    "REPORT_QUEUE": "reports",
    # A worker renews its lease on a job every third of this; a job whose lease ran out is
    # built again (at most REPORT_MAX_ATTEMPTS builds), found every REPORT_RECOVER_SECONDS.
    "REPORT_LEASE_SECONDS": 120,
    "REPORT_MAX_ATTEMPTS": 3,
    "REPORT_RECOVER_SECONDS": 60,
}


def init_app(app: Flask) -> None:
    """Set the report defaults and give templates the export-permission check."""
    from vendorrisk.reports import access, jobs

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    jobs.init_tasks()
    app.jinja_env.globals["may_export"] = access.may_export
