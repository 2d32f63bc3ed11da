"""Who may do what: one table, read by the request guard and by templates.

Every endpoint the app registers must appear here; a test walks the URL map with every role
and with no login and checks the answers against this table.
"""

from typing import Final

ADMIN: Final = "admin"
MANAGER: Final = "manager"
COMPLIANCE: Final = "compliance"
ROLES: Final = (ADMIN, MANAGER, COMPLIANCE)
ROLE_LABELS: Final = {
    ADMIN: "Administrator",
    MANAGER: "Vendor manager",
    COMPLIANCE: "Compliance officer",
}


class _Public(frozenset):
    """Marker for endpoints anyone may open, with no login."""


PUBLIC: Final = _Public()
STAFF: Final = frozenset(ROLES)
ADMINS: Final = frozenset({ADMIN})
MANAGERS: Final = frozenset({ADMIN, MANAGER})
READERS: Final = frozenset({ADMIN, MANAGER, COMPLIANCE})
AUDITORS: Final = frozenset({ADMIN, COMPLIANCE})

PERMISSIONS: dict[str, frozenset[str]] = {
    # Public: assets, sign-in (and its unlock link), password reset, health check (the advisory
    # feed is below).
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "core.healthz": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.login_totp": PUBLIC,
    "accounts.unlock_browser": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    # Any signed-in staff member.
    "core.index": STAFF,
    "accounts.logout": STAFF,
    "accounts.profile": STAFF,
    "accounts.change_password": STAFF,
    "accounts.totp_setup": STAFF,
    "accounts.totp_disable": STAFF,
    "accounts.token_create": STAFF,
    "accounts.token_revoke": STAFF,
    # Administration.
    "accounts.users": ADMINS,
    "accounts.user_new": ADMINS,
    "accounts.user_edit": ADMINS,
    "mail.outbox": ADMINS,
    "mail.outbox_retry": ADMINS,
    # Vendor inventory and product catalogue: managers change, compliance reads and exports.
    "vendors.index": READERS,
    "vendors.export": READERS,
    "vendors.detail": READERS,
    "vendors.score_chart": READERS,
    "vendors.new": MANAGERS,
    "vendors.edit": MANAGERS,
    "vendors.offboard": MANAGERS,
    "vendors.contact_new": MANAGERS,
    "vendors.contact_edit": MANAGERS,
    "vendors.contact_make_primary": MANAGERS,
    "vendors.contact_erase": ADMINS,
    "vendors.product_use_new": MANAGERS,
    "vendors.product_use_remove": MANAGERS,
    "vendors.import_upload": MANAGERS,
    "vendors.import_preview": MANAGERS,
    "vendors.import_confirm": MANAGERS,
    "products.index": READERS,
    "products.detail": READERS,
    "products.new": MANAGERS,
    "products.edit": MANAGERS,
    # Campaigns: managers launch and follow them; compliance officers read.
    "campaigns.index": READERS,
    "campaigns.show": READERS,
    "campaigns.new": MANAGERS,
    "campaigns.new_filter": MANAGERS,
    "campaigns.new_edit": MANAGERS,
    "campaigns.new_preview": MANAGERS,
    "campaigns.new_send": MANAGERS,
    "campaigns.resend": MANAGERS,
    "campaigns.revoke": MANAGERS,
    "campaigns.add_recipient": MANAGERS,
    "campaigns.extend": MANAGERS,
    "campaigns.bulk_remind": MANAGERS,
    "campaigns.bulk_extend": MANAGERS,
    # Every reader may ask; reports.access limits a manager to the campaigns they created.
    "campaigns.bulk_export": READERS,
    "campaigns.workbook": READERS,
    # A workbook the vendor e-mailed back: managers enter it on its behalf and attest; the
    # kept file is evidence staff may read.
    "staff_entry.page": MANAGERS,
    "staff_entry.upload": MANAGERS,
    "staff_entry.submit": MANAGERS,
    "staff_entry.file": READERS,
    # A completed CAIQ the vendor e-mailed: managers upload it; the vendor confirms its answers.
    "caiq_staff.upload": MANAGERS,
    # Review and findings: managers decide and act; compliance officers read.
    "review.assignment": READERS,
    "review.evidence": READERS,
    "review.findings": READERS,
    "review.finding": READERS,
    "review.decide": MANAGERS,
    "review.clarify": MANAGERS,
    "review.override": MANAGERS,
    "review.add_finding": MANAGERS,
    "review.finding_plan": MANAGERS,
    "review.finding_close": MANAGERS,
    "review.finding_accept": MANAGERS,
    "review.finding_severity": MANAGERS,
    # The vendor portal: no account; every view checks the link or the portal access itself.
    "portal.landing": PUBLIC,
    "portal.start": PUBLIC,
    "portal.home": PUBLIC,
    "portal.questionnaire": PUBLIC,
    "portal.section": PUBLIC,
    "portal.save_section": PUBLIC,
    "portal.remove_evidence": PUBLIC,
    "portal.confirm_reused": PUBLIC,
    "portal.caiq": PUBLIC,
    "portal.review": PUBLIC,
    "portal.receipt": PUBLIC,
    "portal.findings": PUBLIC,
    "portal.finding_plan": PUBLIC,
    "portal.files": PUBLIC,
    "portal.upload_sbom": PUBLIC,
    "portal.upload_vex": PUBLIC,
    "portal.workbook": PUBLIC,
    "portal.workbook_download": PUBLIC,
    "portal.delegates": PUBLIC,
    "portal.revoke_delegate": PUBLIC,
    "portal.my_sections": PUBLIC,
    # Portfolio dashboard: staff read it (it is the home page of managers and compliance
    # officers); managers mark impact signals handled.
    "dashboard.index": READERS,
    "dashboard.chart": READERS,
    "dashboard.overdue": READERS,
    "dashboard.impact": READERS,
    "dashboard.impact_handle": MANAGERS,
    # Regulatory clocks: admins choose the regimes and zone; managers (reviewers) record
    # awareness, owners and filings; staff read.
    "clocks.settings": ADMINS,
    "clocks.assignment": READERS,
    "clocks.record": MANAGERS,
    "clocks.deadline_owner": MANAGERS,
    "clocks.deadline_met": MANAGERS,
    "clocks.campaign_pack": READERS,
    "clocks.advisory_pack": READERS,
    # Contract register: managers add and import; staff read and export.
    "contracts.vendor": READERS,
    "contracts.export": READERS,
    "contracts.add": MANAGERS,
    "contracts.import_file": MANAGERS,
    # Audit log.
    "audit.log": AUDITORS,
    "audit.export": AUDITORS,
    # Questionnaire templates: staff read and preview; managers upload, approve and try scoring.
    "questionnaires.index": READERS,
    "questionnaires.detail": READERS,
    "questionnaires.diff": READERS,
    "questionnaires.version": READERS,
    "questionnaires.version_yaml": READERS,
    "questionnaires.preview": READERS,
    "questionnaires.try_score": MANAGERS,
    "questionnaires.upload": MANAGERS,
    "questionnaires.new_version": MANAGERS,
    "questionnaires.clone": MANAGERS,
    "questionnaires.approve": MANAGERS,
    "questionnaires.reject": MANAGERS,
    # The template composer: drafts are working copies, for managers only.
    "drafts.index": MANAGERS,
    "drafts.new": MANAGERS,
    "drafts.paste": MANAGERS,
    "drafts.from_version": MANAGERS,
    "drafts.edit": MANAGERS,
    "drafts.apply": MANAGERS,
    "drafts.download": MANAGERS,
    "drafts.preview": MANAGERS,
    "drafts.submit": MANAGERS,
    # Importing a questionnaire (spreadsheet by mapping, CAIQ v4, VSAQ) makes a draft.
    "imports.index": MANAGERS,
    "imports.sheet": MANAGERS,
    "imports.map_columns": MANAGERS,
    "imports.vsaq": MANAGERS,
    # Advisory library: staff read; managers write, record exposure, track and ask again.
    # The Atom feed: signed in, or through a person's secret feed link (checked by the view;
    # it carries advisory text only, never vendor data).
    "advisories.feed": READERS,
    "advisories.feed_by_link": PUBLIC,
    "advisories.feed_link_create": STAFF,
    "advisories.feed_link_revoke": STAFF,
    "advisories.index": READERS,
    "advisories.show": READERS,
    "advisories.new": MANAGERS,
    "advisories.edit": MANAGERS,
    "advisories.add_update": MANAGERS,
    "advisories.set_exposure": MANAGERS,
    "advisories.action_progress": MANAGERS,
    "advisories.ask_again": MANAGERS,
    "advisories.draft_questionnaire": MANAGERS,
    # Breach intake: managers import CSAF documents and publish drafts (not their own), and
    # upload vendors' SBOMs and VEX documents; staff read what they brought in.
    "intake.csaf_upload": MANAGERS,
    "intake.publish_advisory": MANAGERS,
    "intake.sbom_upload": MANAGERS,
    "intake.vex_upload": MANAGERS,
    "intake.sbom": READERS,
    "intake.vex_document": READERS,
    # Reports and exports: every reader may ask; a guarded getter (reports.access) limits a
    # vendor manager to the vendors they work on and the campaigns they created. Asking for a PDF
    # is a POST that changes no record (see EXPORT_REQUESTS).
    "reports.index": READERS,
    "reports.vendor": READERS,
    "reports.vendor_pdf": READERS,
    "reports.vendor_xlsx": READERS,
    "reports.vendor_csv": READERS,
    "reports.campaign": READERS,
    "reports.campaign_pdf": READERS,
    "reports.campaign_xlsx": READERS,
    "reports.campaign_csv": READERS,
    "reports.job": READERS,
    "reports.download": READERS,
    # The JSON API (bearer tokens; vendorrisk.api.auth applies this table to the token's
    # user): readers read, managers write. The OpenAPI document is public.
    "api.openapi": PUBLIC,
    "api.vendors_index": READERS,
    "api.vendors_show": READERS,
    "api.vendors_create": MANAGERS,
    "api.vendors_update": MANAGERS,
    "api.products_index": READERS,
    "api.templates_index": READERS,
    "api.advisories_index": READERS,
    "api.advisories_show": READERS,
    "api.campaigns_create": MANAGERS,
    "api.campaigns_show": READERS,
    "api.assignments_result": READERS,
    "api.findings_index": READERS,
    # Exports: the reports' guarded getters add their ownership rule.
    "api.vendors_export_xlsx": READERS,
    "api.vendors_report_pdf": READERS,
    "api.campaigns_export_xlsx": READERS,
    "api.campaigns_oscal": READERS,
    "api.vendors_oscal": READERS,
}

# POST endpoints open to compliance officers that only ask for an export: they add a report job
# or write a file and an audit entry, and change no vendor, answer, score or finding. (The
# triage table's export posts the selected rows, which a link could not carry.)
EXPORT_REQUESTS: Final = frozenset(
    {"reports.vendor_pdf", "reports.campaign_pdf", "campaigns.bulk_export"}
)

# Endpoints a signed-in user may reach before finishing a required second-factor set-up.
ALLOWED_BEFORE_MFA: Final = frozenset(
    {"accounts.totp_setup", "accounts.logout", "static", "bootstrap.static", "core.healthz"}
)


def is_public(endpoint: str) -> bool:
    """Tell whether an endpoint is open without a login."""
    return isinstance(PERMISSIONS.get(endpoint), _Public)


def allowed(role: str | None, endpoint: str) -> bool:
    """Tell whether a role may use an endpoint (unknown endpoints are refused)."""
    roles = PERMISSIONS.get(endpoint)
    if roles is None:
        return False
    if isinstance(roles, _Public):
        return True
    return role in roles
