"""An application whose set-up waits until something needs it: `flask --help` lists the commands
without importing the models, views and services that running one of them needs.

Only the `flask` command line makes one (see `create_app`): the web server and the tests get a
finished app at once. A deferred app finishes its set-up, once and under a lock, the first time
anything asks for what the set-up provides: an extension (the database, mail, the limiter), the
URL map (every request, every link built), or a command of ours, which is listed by a light
stand-in until it is run. (Not the Jinja environment: the command line makes it to set the debug
flag; the set-up adds its filters to it later, as it does in a finished app.)
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import click
from flask import Flask

# Every command group and command the app registers, with the first paragraph of its help (what
# `flask --help` shortens into its list). tests/core/test_deferred_app.py checks them against the
# real commands.
COMMANDS: dict[str, str] = {
    "advisories": "Check and load the shipped advisories.",
    "backup": "Write a consistent backup (database, evidence files, manifest) to PATH.",
    "clocks": "Regulatory deadline reminders.",
    "contacts": "Manage vendor contacts' personal data.",
    "dashboard": "The dashboard's stored portfolio state.",
    "db": "Perform database migrations.",
    "demo": "Load demo users and data (safe to run again) and print the demo logins.",
    "findings": "Finding housekeeping.",
    "outbox": "Deliver and inspect the mail outbox.",
    "questionnaires": "Check and load questionnaire templates.",
    "reassessments": "Baseline reassessments on the schedule of each inherent tier.",
    "reminders": "Reminders before due dates and when overdue.",
    "reports": "Report files.",
    "restore": "Restore the backup at PATH into this (empty) instance, after checking every hash.",
    "users": "Manage staff accounts.",
    "worker": "Build reports and run the periodic work queued in Redis (needs REDIS_URL).",
}


# Command groups light enough to run before the set-up, by where they are defined: cron runs them
# every minute, and each finishes the set-up itself only if it needs more than the settings
# (its first use of the database or another extension does, through `DeferredFlask`).
LIGHT_GROUPS: dict[str, str] = {"outbox": "vendorrisk.mail.cli:outbox_cli"}


class DeferredFlask(Flask):
    """A Flask app that runs its set-up function on first need (see the module's docstring)."""

    _setup: Callable[[Flask], None] | None = None

    def defer(self, setup: Callable[[Flask], None]) -> None:
        """Keep `setup` for later and list our commands by their stand-ins meanwhile."""
        self._setup_lock = threading.RLock()
        self._setup_running = False
        self._setup = setup
        for name, help_text in COMMANDS.items():
            self.cli.add_command(_StandIn(self, name, help_text))

    def finish_setup(self) -> None:
        """Run the kept set-up once; other threads wait for it, the set-up itself passes."""
        if self._setup is None:
            return
        with self._setup_lock:
            if self._setup is None or self._setup_running:
                return
            self._setup_running = True
            try:
                self._setup(self)
                self._setup = None
            finally:
                self._setup_running = False

    # Flask assigns both in its constructor; reading either finishes the set-up.
    @property
    def extensions(self) -> dict[str, Any]:
        self.finish_setup()
        return self.__dict__["_extensions"]

    @extensions.setter
    def extensions(self, value: dict[str, Any]) -> None:
        self.__dict__["_extensions"] = value

    @property
    def url_map(self):  # noqa: ANN201 - werkzeug's Map, as Flask declares it
        self.finish_setup()
        return self.__dict__["_url_map"]

    @url_map.setter
    def url_map(self, value) -> None:  # noqa: ANN001
        self.__dict__["_url_map"] = value


def setup_pending(app: Flask) -> bool:
    """Tell whether `app` is a deferred app whose set-up has not run yet."""
    return isinstance(app, DeferredFlask) and app._setup is not None


def finish_setup(app: Flask) -> None:
    """Finish a deferred app's set-up now; a finished app has nothing left to do.

    For a light command about to use what the set-up provides in a way that does not ask for it
    first (Flask-SQLAlchemy looks its engines up by app, not through `app.extensions`).
    """
    if isinstance(app, DeferredFlask):
        app.finish_setup()


class _StandIn(click.Command):
    """Lists a command by name and help; running it finishes the app and runs the real one."""

    def __init__(self, app: DeferredFlask, name: str, help_text: str) -> None:
        super().__init__(name, help=help_text, add_help_option=False)
        self.app = app
        self.command_name = name

    def _real(self) -> click.Command:
        if self.command_name in LIGHT_GROUPS:
            module, _, name = LIGHT_GROUPS[self.command_name].partition(":")
            return getattr(importlib.import_module(module), name)
        self.app.finish_setup()
        command = self.app.cli.commands.get(self.command_name)
        if command is None or command is self:
            raise click.UsageError(f"No such command '{self.command_name}'.")
        return command

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:  # noqa: ANN001
        return self._real().make_context(info_name, args, parent=parent, **extra)
