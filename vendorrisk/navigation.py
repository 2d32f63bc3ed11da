"""The main navigation and the home-page cards; each entry is shown only to roles allowed to use it."""

NAV_LINKS: list[tuple[str, str]] = [
    ("dashboard.index", "Dashboard"),
    ("advisories.index", "Advisories"),
    ("vendors.index", "Vendors"),
    ("products.index", "Products"),
    ("questionnaires.index", "Templates"),
    ("campaigns.index", "Campaigns"),
    ("review.findings", "Findings"),
    ("reports.index", "Reports"),
    ("audit.log", "Audit log"),
    ("accounts.users", "Users"),
    ("mail.outbox", "Outbox"),
]

HOME_CARDS: list[tuple[str, str, str]] = [
    (
        "dashboard.index",
        "Dashboard",
        "The portfolio at a glance: residual risk, campaigns, overdue answers, findings, signals.",
    ),
    (
        "advisories.index",
        "Advisories",
        "Breach guidance with dated updates: who is exposed, the firm's checklist, campaigns.",
    ),
    (
        "vendors.index",
        "Vendors",
        "The vendor inventory: risk tiers, contacts, contracts, products used.",
    ),
    (
        "products.index",
        "Products",
        "The product catalogue with aliases and versions, and who uses what.",
    ),
    (
        "questionnaires.index",
        "Templates",
        "Questionnaire templates, their versions and approvals; preview and try the scoring.",
    ),
    (
        "campaigns.index",
        "Campaigns",
        "Send a questionnaire to many vendors, follow responses, resend or revoke links.",
    ),
    (
        "review.findings",
        "Findings",
        "Gaps found by scoring and reviewers, tracked to closure or accepted risk.",
    ),
    (
        "reports.index",
        "Reports",
        "Due-diligence and portfolio reports (PDF) built in the background, and their downloads.",
    ),
    ("audit.log", "Audit log", "Who did what and when: sign-ins, changes, exports, denied access."),
    ("accounts.users", "Users", "Create staff accounts, change roles, disable access."),
    ("mail.outbox", "Outbox", "Every message the platform sends, its state and attempts."),
    (
        "clocks.settings",
        "Regulatory clocks",
        "The firm's time zone and the notification regimes (GDPR, NIS2, DORA...) switched on.",
    ),
]
