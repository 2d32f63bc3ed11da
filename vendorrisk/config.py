"""Configuration classes; the environment is read here and nowhere else."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(instance_path: Path, name: str) -> str:
    """Return a secret kept in the instance folder, creating it on first use (development)."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = 3600 * 8
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "vr_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    PASSWORD_RESET_TTL = timedelta(hours=1)
    LOGIN_FAILURE_LIMIT = "10 per 15 minutes"  # per address, and per account in a known browser
    LOGIN_ACCOUNT_FAILURE_LIMIT = "100 per day"  # per account, over all unknown browsers
    KNOWN_BROWSER_TTL = timedelta(days=180)
    SIGN_IN_UNLOCK_TTL = timedelta(hours=1)
    API_TOKEN_DAYS = 90
    API_TOKEN_MAX_DAYS = 365
    API_TOKEN_TOUCH_SECONDS = 60
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_STRATEGY = "fixed-window"
    TRUSTED_PROXY_COUNT = 0
    HSTS = False
    MAIL_TRANSPORT = "smtp"  # "smtp" or "console"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "VendorRisk <vendorrisk@localhost>"
    MAIL_REPLY_TO: str | None = None
    MAIL_TIMEOUT = 10
    OUTBOX_SEND_AFTER_REQUEST = True
    OUTBOX_BATCH_SIZE = 100
    OUTBOX_LEASE_SECONDS = 120
    OUTBOX_MAX_ATTEMPTS = 8
    REDIS_URL: str | None = None
    TASK_QUEUE = "tasks"
    SCHEDULER_TICK_SECONDS = 15  # how often each worker looks for periodic work that is due
    REDIS_KEY_PREFIX = "vendorrisk"  # task queues and locks; differs per deployment sharing Redis
    STORAGE_URL: str | None = None
    S3_ENDPOINT_URL: str | None = None
    S3_REGION: str | None = None
    EXTERNAL_BASE_URL = "http://127.0.0.1:5000"
    DISPLAY_TIMEZONE = "UTC"
    # Days a finding raised by scoring has to be fixed, by severity (its due date).
    FINDING_DUE_DAYS = {"critical": 14, "high": 30, "medium": 90, "low": 180}
    # Baseline reassessment per inherent tier: every so many months, with this template
    # (docs/operations.md, "Reassessments"). A tier left out is not reassessed on a schedule.
    REASSESSMENT_SCHEDULE: dict = {
        1: (12, "incident-readiness-baseline"),
        2: (24, "incident-readiness-baseline"),
        3: (36, "incident-readiness-baseline"),
    }
    REASSESSMENT_ANSWER_DAYS = 30  # the due date of a reassessment, counted from when it is sent
    REASSESSMENT_SENDER: str | None = None  # e-mail of the staff user the invitations come from
    # PEM files of the key and certificate report PDFs are signed with (None: unsigned), the
    # intermediate certificates if any, and the key's passphrase (from the environment only).
    REPORT_SIGNING_KEY: str | None = None
    REPORT_SIGNING_CERT: str | None = None
    REPORT_SIGNING_CHAIN: str | None = None
    REPORT_SIGNING_PASSPHRASE: str | None = None


def parse_schedule(text: str) -> dict[int, tuple[int, str]]:
    """Read REASSESSMENT_SCHEDULE: `tier:months:template-slug` items separated by commas
    (e.g. `1:12:incident-readiness-baseline,2:24:incident-readiness-baseline`); empty: none."""
    schedule: dict[int, tuple[int, str]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        parts = item.split(":")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or not parts[2]:
            raise RuntimeError(
                f"REASSESSMENT_SCHEDULE: {item!r} is not tier:months:template-slug "
                "(e.g. 1:12:incident-readiness-baseline)"
            )
        tier, months = int(parts[0]), int(parts[1])
        if tier not in (1, 2, 3, 4) or not 1 <= months <= 120:
            raise RuntimeError(
                f"REASSESSMENT_SCHEDULE: {item!r}: the tier is 1 to 4 and the months 1 to 120"
            )
        schedule[tier] = (months, parts[2])
    return schedule


def instance_path() -> str | None:
    """Return the instance folder named by VENDORRISK_INSTANCE_PATH (None: Flask's default).

    Each host keeps its own instance folder; with several hosts nothing in it is shared.
    """
    return os.environ.get("VENDORRISK_INSTANCE_PATH") or None


def build_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Assemble the configuration for one app from the class, the environment and overrides."""
    overrides = dict(overrides or {})
    env_name = overrides.get("ENV_NAME") or os.environ.get("VENDORRISK_ENV", "development")
    cfg: dict = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    cfg["ENV_NAME"] = env_name
    production = env_name == "production"

    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        if database_url.startswith("postgres://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
        elif database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    cfg["SQLALCHEMY_DATABASE_URI"] = database_url or f"sqlite:///{instance_path / 'vendorrisk.db'}"

    secret = os.environ.get("SECRET_KEY")
    link_key = os.environ.get("LINK_KEY")
    if production and "SECRET_KEY" not in overrides:
        if not secret or not link_key:
            raise RuntimeError("SECRET_KEY and LINK_KEY must be set in production.")
    if "SECRET_KEY" not in overrides:
        cfg["SECRET_KEY"] = secret or _instance_secret(instance_path, "secret_key")
    if "LINK_KEY" not in overrides:
        cfg["LINK_KEY"] = link_key or _instance_secret(instance_path, "link_key")

    cfg["SESSION_COOKIE_SECURE"] = production
    cfg["HSTS"] = production
    cfg["TRUSTED_PROXY_COUNT"] = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
    cfg["REDIS_URL"] = os.environ.get("REDIS_URL") or None
    cfg["MONITORING_TOKEN"] = os.environ.get("MONITORING_TOKEN") or None
    cfg["EXTERNAL_BASE_URL"] = os.environ.get("EXTERNAL_BASE_URL", Config.EXTERNAL_BASE_URL)
    cfg["MAIL_TRANSPORT"] = os.environ.get(
        "MAIL_TRANSPORT", "smtp" if production or os.environ.get("MAIL_SERVER") else "console"
    )
    cfg["MAIL_SERVER"] = os.environ.get("MAIL_SERVER", Config.MAIL_SERVER)
    cfg["MAIL_PORT"] = int(os.environ.get("MAIL_PORT", str(Config.MAIL_PORT)))
    cfg["MAIL_USE_TLS"] = _bool("MAIL_USE_TLS")
    cfg["MAIL_USE_SSL"] = _bool("MAIL_USE_SSL")
    cfg["MAIL_USERNAME"] = os.environ.get("MAIL_USERNAME")
    cfg["MAIL_PASSWORD"] = os.environ.get("MAIL_PASSWORD")
    cfg["MAIL_DEFAULT_SENDER"] = os.environ.get("MAIL_FROM", Config.MAIL_DEFAULT_SENDER)
    cfg["MAIL_REPLY_TO"] = os.environ.get("MAIL_REPLY_TO")
    cfg["MAIL_TIMEOUT"] = min(10, int(os.environ.get("MAIL_TIMEOUT", "10")))
    if os.environ.get("REASSESSMENT_SCHEDULE") is not None:
        cfg["REASSESSMENT_SCHEDULE"] = parse_schedule(os.environ["REASSESSMENT_SCHEDULE"])
    cfg["REASSESSMENT_SENDER"] = os.environ.get("REASSESSMENT_SENDER") or None
    cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"] or "memory://"
    # Evidence and report files: a local folder (unset) or s3://bucket/prefix (see core/blobs).
    cfg["STORAGE_URL"] = os.environ.get("STORAGE_URL") or None
    cfg["S3_ENDPOINT_URL"] = os.environ.get("S3_ENDPOINT_URL") or None
    cfg["S3_REGION"] = os.environ.get("S3_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    if os.environ.get("REDIS_KEY_PREFIX"):
        cfg["REDIS_KEY_PREFIX"] = os.environ["REDIS_KEY_PREFIX"]
    for name in ("OUTBOX_LEASE_SECONDS", "REPORT_LEASE_SECONDS", "REPORT_RECOVER_SECONDS"):
        if os.environ.get(name):
            cfg[name] = int(os.environ[name])
    if os.environ.get("SCHEDULER_TICK_SECONDS"):
        cfg["SCHEDULER_TICK_SECONDS"] = float(os.environ["SCHEDULER_TICK_SECONDS"])
    for name in (
        "REPORT_SIGNING_KEY",
        "REPORT_SIGNING_CERT",
        "REPORT_SIGNING_CHAIN",
        "REPORT_SIGNING_PASSPHRASE",
    ):
        cfg[name] = os.environ.get(name) or None
    cfg.update(overrides)
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    elif cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # No JIT compilation: the app's queries are short and read indexes, but at a hundred
        # thousand vendors some estimates pass PostgreSQL's JIT thresholds, and compiling
        # then cost 200 ms or more for a query that runs in 1 ms (docs/performance.md).
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **cfg["SQLALCHEMY_ENGINE_OPTIONS"],
            "connect_args": {"options": "-c jit=off"},
        }
    return cfg
