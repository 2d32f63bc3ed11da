"""The main navigation and the home-page cards; each entry is shown only to roles allowed to use it."""

NAV_LINKS: list[tuple[str, str]] = [
    ("audit.log", "Audit log"),
    ("accounts.users", "Users"),
    ("mail.outbox", "Outbox"),
]

HOME_CARDS: list[tuple[str, str, str]] = [
    ("audit.log", "Audit log", "Who did what and when: sign-ins, changes, exports, denied access."),
    ("accounts.users", "Users", "Create staff accounts, change roles, disable access."),
    ("mail.outbox", "Outbox", "Every message the platform sends, its state and attempts."),
]
