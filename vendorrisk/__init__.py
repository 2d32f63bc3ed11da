"""VendorRisk: breach-driven vendor due diligence."""

import os
from pathlib import Path

from flask import Flask, g


def create_app(config: dict | None = None) -> Flask:
    """Build the application; each subsystem registers itself in `_set_up`.

    Loaded by the `flask` command line (and given no settings), the set-up waits until something
    needs it (`core/deferred.py`), so listing the commands imports none of the app's modules.
    """
    from vendorrisk.config import build_config, instance_path
    from vendorrisk.core.deferred import DeferredFlask

    deferred = config is None and os.environ.get("FLASK_RUN_FROM_CLI") == "true"
    app_class = DeferredFlask if deferred else Flask
    app = app_class(__name__, instance_relative_config=True, instance_path=instance_path())
    app.config.update(build_config(Path(app.instance_path), config))
    if isinstance(app, DeferredFlask):
        from vendorrisk.core import cli_errors

        cli_errors.install()  # the command line: a database not set up is one line, not SQL
        app.defer(_set_up)
    else:
        _set_up(app)
    return app


def _set_up(app: Flask) -> None:
    """Register the extensions, blueprints, commands and hooks of every subsystem."""
    from vendorrisk import demo, jinja, reports
    from vendorrisk.accounts import cli as accounts_cli
    from vendorrisk.accounts import login as accounts_login
    from vendorrisk.accounts.views import bp as accounts_bp
    from vendorrisk.advisories import cli as advisories_cli
    from vendorrisk.advisories.views import bp as advisories_bp
    from vendorrisk.api import views as api_views
    from vendorrisk.audit.views import bp as audit_bp
    from vendorrisk.campaigns import cli as campaigns_cli
    from vendorrisk.campaigns.caiq_views import bp as caiq_staff_bp
    from vendorrisk.campaigns.entry_views import bp as staff_entry_bp
    from vendorrisk.campaigns.views import bp as campaigns_bp
    from vendorrisk.clocks import cli as clocks_cli
    from vendorrisk.clocks.views import bp as clocks_bp
    from vendorrisk.contracts.views import bp as contracts_bp
    from vendorrisk.core import database, errors, http, security, static_links
    from vendorrisk.core.views import bp as core_bp
    from vendorrisk.dashboard import cli as dashboard_cli
    from vendorrisk.dashboard.views import bp as dashboard_bp
    from vendorrisk.extensions import bootstrap, csrf, limiter, mail, migrate
    from vendorrisk.extensions import db as _db
    from vendorrisk.intake import cli as intake_cli
    from vendorrisk.intake.views import bp as intake_bp
    from vendorrisk.mail import cli as mail_cli
    from vendorrisk.mail import services as outbox
    from vendorrisk.mail.views import bp as mail_bp
    from vendorrisk.portal.views import bp as portal_bp
    from vendorrisk.questionnaires import cli as questionnaires_cli
    from vendorrisk.questionnaires.draft_views import bp as drafts_bp
    from vendorrisk.questionnaires.importers import cli as importers_cli
    from vendorrisk.questionnaires.importers.views import bp as imports_bp
    from vendorrisk.questionnaires.views import bp as questionnaires_bp
    from vendorrisk.reassessments import cli as reassessments_cli
    from vendorrisk.reports import cli as reports_cli
    from vendorrisk.reports.views import bp as reports_bp
    from vendorrisk.review import cli as review_cli
    from vendorrisk.review.views import bp as review_bp
    from vendorrisk.vendors import cli as vendors_cli
    from vendorrisk.vendors.catalogue_views import bp as products_bp
    from vendorrisk.vendors.views import bp as vendors_bp

    database.init_app(app)
    migrate.init_app(
        app, _db, directory=str(Path(__file__).parent.parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    mail.init_app(app)
    bootstrap.init_app(app)
    static_links.init_app(app, bootstrap)
    limiter.init_app(app)
    accounts_login.init_app(app)
    security.init_app(app)
    http.init_app(app)
    errors.init_app(app)
    jinja.init_app(app)
    reports.init_app(app)

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(questionnaires_bp)
    app.register_blueprint(drafts_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(vendors_bp)
    app.register_blueprint(products_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(staff_entry_bp)
    app.register_blueprint(caiq_staff_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(advisories_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(clocks_bp)
    app.register_blueprint(contracts_bp)
    api_views.register(app)

    accounts_cli.init_app(app)
    mail_cli.init_app(app)
    questionnaires_cli.init_app(app)
    importers_cli.init_app(app)
    vendors_cli.init_app(app)
    campaigns_cli.init_app(app)
    review_cli.init_app(app)
    reports_cli.init_app(app)
    advisories_cli.init_app(app)
    intake_cli.init_app(app)
    clocks_cli.init_app(app)
    reassessments_cli.init_app(app)
    dashboard_cli.init_app(app)
    demo.init_app(app)
    from vendorrisk.core import backup_cli

    backup_cli.init_app(app)
    from vendorrisk.core import worker_cli

    worker_cli.init_app(app)

    @app.after_request
    def _send_queued_mail(response):
        if g.get("outbox_pending") and app.config["OUTBOX_SEND_AFTER_REQUEST"]:
            response.call_on_close(lambda: outbox.send_after_request(app))
        return response
