"""Reading the environment: the one place that does.

Every setting comes from an environment variable with a safe embedded default. Each parser
returns a typed value or raises ``ConfigError`` naming the variable, so a wrong value stops
start-up with a message an operator can act on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT_SECRET_KEY = "docflow-insecure-embedded-default-key-change-me-in-production"
ENVIRONMENTS = ("development", "production", "test")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ImproperlyConfigured):
    """A configuration value is wrong; the message names the variable."""

    def __init__(self, variable: str, message: str) -> None:
        self.variable = variable
        super().__init__(f"{variable}: {message}")


def parse_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(name, f"expected one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def parse_int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(name, f"expected a whole number; got {raw!r}") from None
    if value < minimum:
        raise ConfigError(name, f"must be at least {minimum}; got {value}")
    return value


def parse_list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    raw = env.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, default).strip().lower() or default
    if raw not in choices:
        raise ConfigError(name, f"expected one of {', '.join(choices)}; got {raw!r}")
    return raw


def parse_url(
    env: Mapping[str, str], name: str, default: str, *, schemes: tuple[str, ...]
) -> str:
    raw = env.get(name, "").strip() or default
    parts = urlsplit(raw)
    if parts.scheme not in schemes:
        raise ConfigError(
            name, f"expected a URL starting with {' or '.join(s + '://' for s in schemes)}; got {raw!r}"
        )
    return raw


def parse_import_path(env: Mapping[str, str], name: str, default: str) -> str:
    """A dotted path to a class, checked importable now rather than at first use."""
    from django.utils.module_loading import import_string

    raw = env.get(name, "").strip() or default
    try:
        import_string(raw)
    except ImportError as exc:
        raise ConfigError(name, f"cannot import {raw!r}: {exc}") from None
    return raw


def parse_database(env: Mapping[str, str], name: str, data_dir: Path) -> dict:
    """DATABASE_URL → a Django DATABASES entry; SQLite in the data folder when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return sqlite_database(data_dir / "docflow.sqlite3")
    import dj_database_url

    scheme = urlsplit(raw).scheme
    if scheme not in ("postgres", "postgresql", "sqlite"):
        raise ConfigError(name, f"expected postgres:// or sqlite:///; got {scheme or raw!r}")
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises plain exceptions for malformed URLs
        raise ConfigError(name, f"cannot parse: {exc}") from None
    if config["ENGINE"].endswith("sqlite3"):
        return sqlite_database(Path(config["NAME"]))
    if not config.get("NAME"):
        raise ConfigError(name, "the URL names no database")
    prepare = config.get("OPTIONS", {}).get("prepare", "on")
    if prepare not in ("on", "off"):
        raise ConfigError(name, f"prepare= is on (the default) or off; got {prepare!r}")
    # Django's PostgreSQL backend that sets the tenant scope per transaction (row-level security).
    config["ENGINE"] = "docflow.core.db.postgresql"
    return config


def sqlite_database(path: Path) -> dict:
    """SQLite tuned for a small office: WAL, IMMEDIATE writes so locks are taken up front."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
        "TEST": {"NAME": None},
    }


@dataclass(frozen=True)
class AxisConfig:
    """Where the national document exchange axis (trục liên thông) is and how we sign in to it."""

    url: str
    system_id: str
    secret: str
    timeout_seconds: int = 20


@dataclass(frozen=True)
class Config:
    """Every setting Docflow reads from the environment, validated."""

    environment: str
    debug: bool
    secret_key: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    data_dir: Path
    database: dict
    broker_url: str
    tasks_eager: bool
    email_backend: str
    email_host: str
    email_port: int
    email_user: str
    email_password: str
    email_use_tls: bool
    default_from_email: str
    storage_backend: str
    max_upload_bytes: int
    demo_password: str
    site_url: str
    log_level: str
    trust_roots: Path | None = None
    revocation_fetch: bool = True
    tsa_url: str = ""
    # Logins (docs/SECURITY.md): proxies in front whose X-Forwarded-For is trusted (0: none, the
    # address is REMOTE_ADDR), failures before a username+address pair and a username alone are
    # locked, for how long; API tokens' lifetime; second factor on by default for new agencies.
    trusted_proxies: int = 0
    login_failures_per_address: int = 5
    login_failures_per_username: int = 20
    login_cooloff_minutes: int = 15
    token_days: int = 30
    second_factor_default: bool = False
    axis: AxisConfig | None = None  # the national exchange axis connector; None: off
    # Migrations connect as the tables' owner (DATABASE_OWNER_URL; DATABASE_URL when unset), the
    # app as a role that owns nothing (docs/RUNTIME.md "Database roles"); db_app_role: that role.
    owner_database: dict | None = None
    db_app_role: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.environment == "production"


def load_config(env: Mapping[str, str] | None = None, *, base_dir: Path) -> Config:
    """Parse and validate the environment; production refuses unsafe defaults."""
    env = os.environ if env is None else env
    environment = parse_choice(env, "DOCFLOW_ENV", "development", ENVIRONMENTS)
    production = environment == "production"
    debug = parse_bool(env, "DEBUG", default=not production)
    data_dir = Path(env.get("DOCFLOW_DATA_DIR", "").strip() or base_dir / "data")
    secret_key = env.get("SECRET_KEY", "").strip() or DEFAULT_SECRET_KEY
    database = parse_database(env, "DATABASE_URL", data_dir)
    owner_database = (
        parse_database(env, "DATABASE_OWNER_URL", data_dir)
        if env.get("DATABASE_OWNER_URL", "").strip() else database
    )
    if owner_database["ENGINE"] != database["ENGINE"] or owner_database["NAME"] != database["NAME"]:
        raise ConfigError("DATABASE_OWNER_URL", "must name the same database as DATABASE_URL")
    db_app_role = env.get("DOCFLOW_DB_APP_ROLE", "").strip() or (
        database.get("USER", "") if owner_database.get("USER") != database.get("USER") else ""
    )
    broker_url = parse_url(
        env, "CELERY_BROKER_URL", "memory://", schemes=("redis", "rediss", "memory", "amqp")
    )
    tasks_eager = parse_bool(
        env, "CELERY_TASK_ALWAYS_EAGER", default=not env.get("CELERY_BROKER_URL", "").strip()
    )
    email_host = env.get("EMAIL_HOST", "").strip()
    config = Config(
        environment=environment,
        debug=debug,
        secret_key=secret_key,
        allowed_hosts=parse_list(env, "ALLOWED_HOSTS", [] if production else ["*"]),
        csrf_trusted_origins=parse_list(env, "CSRF_TRUSTED_ORIGINS", []),
        data_dir=data_dir,
        database=database,
        owner_database=owner_database,
        db_app_role=db_app_role,
        broker_url=broker_url,
        tasks_eager=tasks_eager,
        email_backend=(
            "django.core.mail.backends.smtp.EmailBackend"
            if email_host
            else "django.core.mail.backends.console.EmailBackend"
        ),
        email_host=email_host,
        email_port=parse_int(env, "EMAIL_PORT", 587, minimum=1),
        email_user=env.get("EMAIL_HOST_USER", ""),
        email_password=env.get("EMAIL_HOST_PASSWORD", ""),
        email_use_tls=parse_bool(env, "EMAIL_USE_TLS", True),
        default_from_email=env.get("DEFAULT_FROM_EMAIL", "").strip() or "docflow@localhost",
        storage_backend=parse_import_path(
            env, "DOCFLOW_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        max_upload_bytes=parse_int(
            env, "DOCFLOW_MAX_UPLOAD_MB", 20, minimum=1
        ) * 1024 * 1024,
        demo_password=env.get("DOCFLOW_DEMO_PASSWORD", "").strip() or "demo12345",
        site_url=parse_url(
            env, "DOCFLOW_SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")
        ).rstrip("/"),
        log_level=parse_choice(
            env, "LOG_LEVEL", "info", ("debug", "info", "warning", "error")
        ).upper(),
    )
    config = replace(
        config, trust_roots=parse_trust_roots(env, "DOCFLOW_TRUST_ROOTS", data_dir),
        revocation_fetch=parse_bool(env, "DOCFLOW_REVOCATION_FETCH", True),
        tsa_url=(parse_url(env, "DOCFLOW_TSA_URL", "", schemes=("http", "https"))
                 if env.get("DOCFLOW_TSA_URL", "").strip() else ""),
        axis=parse_axis(env),
    )
    config = replace(
        config, trusted_proxies=parse_int(env, "DOCFLOW_TRUSTED_PROXIES", 0),
        login_failures_per_address=parse_int(env, "DOCFLOW_LOGIN_FAILURES_PER_ADDRESS", 5, minimum=1),
        login_failures_per_username=parse_int(env, "DOCFLOW_LOGIN_FAILURES_PER_USERNAME", 20, minimum=1),
        login_cooloff_minutes=parse_int(env, "DOCFLOW_LOGIN_COOLOFF_MINUTES", 15, minimum=1),
        token_days=parse_int(env, "DOCFLOW_TOKEN_DAYS", 30, minimum=1),
        second_factor_default=parse_bool(env, "DOCFLOW_SECOND_FACTOR_DEFAULT", production),
    )
    if production:
        _check_production(config, env)
    return config


def parse_trust_roots(env: Mapping[str, str], name: str, data_dir: Path) -> Path:
    """The folder of CA certificates (PEM or DER) that signatures are checked against.

    Unset means ``<data dir>/trust-roots`` (where the demo CA goes); a set value must be a folder.
    """
    raw = env.get(name, "").strip()
    if not raw:
        return data_dir / "trust-roots"
    path = Path(raw)
    if not path.is_dir():
        raise ConfigError(name, f"{raw!r} is not a folder of CA certificates")
    return path


AXIS_VARIABLES = ("DOCFLOW_AXIS_URL", "DOCFLOW_AXIS_SYSTEM_ID", "DOCFLOW_AXIS_SECRET")


def parse_axis(env: Mapping[str, str]) -> AxisConfig | None:
    """The axis connector: off (None) when its three variables are unset; all three or none.

    The URL is the axis endpoint the operations are appended to (no query, no fragment).
    """
    values = {name: env.get(name, "").strip() for name in AXIS_VARIABLES}
    if not any(values.values()):
        return None
    for name, value in values.items():
        if not value:
            raise ConfigError(name, "the axis connector needs DOCFLOW_AXIS_URL, DOCFLOW_AXIS_SYSTEM_ID "
                                    "and DOCFLOW_AXIS_SECRET together (or none of them)")
    url = parse_url(env, "DOCFLOW_AXIS_URL", "", schemes=("http", "https"))
    parts = urlsplit(url)
    if not parts.hostname or parts.query or parts.fragment:
        raise ConfigError("DOCFLOW_AXIS_URL", f"expected http(s)://host/path without query; got {url!r}")
    return AxisConfig(
        url=url.rstrip("/"), system_id=values["DOCFLOW_AXIS_SYSTEM_ID"], secret=values["DOCFLOW_AXIS_SECRET"],
        timeout_seconds=parse_int(env, "DOCFLOW_AXIS_TIMEOUT_SECONDS", 20, minimum=1),
    )


def _check_production(config: Config, env: Mapping[str, str]) -> None:
    if config.debug:
        raise ConfigError("DEBUG", "must be off in production (DOCFLOW_ENV=production)")
    if (
        config.secret_key == DEFAULT_SECRET_KEY
        or len(config.secret_key) < 50
        or len(set(config.secret_key)) < 5
    ):
        raise ConfigError("SECRET_KEY", "set a random secret of at least 50 characters in production")
    if config.database["ENGINE"].endswith("sqlite3"):
        raise ConfigError("DATABASE_URL", "production needs PostgreSQL (postgres://…), not SQLite")
    if not config.allowed_hosts:
        raise ConfigError("ALLOWED_HOSTS", "list the host names this server answers to")
    if config.tasks_eager or config.broker_url.startswith("memory"):
        raise ConfigError("CELERY_BROKER_URL", "production needs a Redis broker (redis://…)")
