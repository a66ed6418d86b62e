"""One frozen Settings, read once from the environment."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse


class SettingsError(ValueError):
    """A bad environment value; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/probono.sqlite3"
    redis_url: str | None = None
    smtp_url: str | None = None
    outbox_dir: Path = Path("var/outbox")
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    admin_email: str | None = None
    admin_password: str | None = None
    demo_data: bool = False
    token_lifetime_minutes: int = 12 * 60
    login_attempts_per_minute: int = 10
    outbox_relay_seconds: int = 2
    waitlist_hold_minutes: int = 120
    workers: int = 1  # API processes `probono serve` runs; each keeps its own caches


def _integer(env: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _flag(env: dict[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be 1 or 0, got {raw!r}")


def _url(env: dict[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        raise SettingsError(f"{name} must start with one of {', '.join(schemes)}://, got {raw!r}")
    return raw


def _database_url(env: dict[str, str]) -> str:
    url = _url(env, "DATABASE_URL", ("sqlite", "postgresql", "postgres"))
    if url is None:
        return Settings.database_url
    if url.startswith("sqlite:") and not url.startswith("sqlite:///"):
        raise SettingsError(
            f"DATABASE_URL for SQLite must look like sqlite:///path/file.sqlite3, got {url!r}"
        )
    if url.startswith("sqlite:///") and url == "sqlite:///":
        raise SettingsError("DATABASE_URL names no SQLite file")
    return url


def _secret_key(env: dict[str, str], var_dir: Path) -> str:
    """SECRET_KEY, or one generated once and kept in var/ so tokens survive restarts."""
    given = env.get("SECRET_KEY", "")
    if given:
        if len(given) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        return given
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    admin_email = env.get("ADMIN_EMAIL") or None
    admin_password = env.get("ADMIN_PASSWORD") or None
    if bool(admin_email) != bool(admin_password):
        raise SettingsError("ADMIN_EMAIL and ADMIN_PASSWORD must be given together")
    if admin_password is not None and len(admin_password) < 8:
        raise SettingsError("ADMIN_PASSWORD must be at least 8 characters long")
    return Settings(
        database_url=_database_url(env),
        redis_url=_url(env, "REDIS_URL", ("redis", "rediss", "unix")),
        smtp_url=_url(env, "SMTP_URL", ("smtp", "smtps")),
        outbox_dir=Path(env.get("OUTBOX_DIR") or Settings.outbox_dir),
        secret_key=_secret_key(env, Path(env.get("VAR_DIR") or "var")),
        host=env.get("HOST") or Settings.host,
        port=_integer(env, "PORT", Settings.port, 1, 65535),
        admin_email=admin_email,
        admin_password=admin_password,
        demo_data=_flag(env, "DEMO_DATA"),
        token_lifetime_minutes=_integer(
            env, "TOKEN_LIFETIME_MINUTES", Settings.token_lifetime_minutes, 5, 7 * 24 * 60
        ),
        login_attempts_per_minute=_integer(
            env, "LOGIN_ATTEMPTS_PER_MINUTE", Settings.login_attempts_per_minute, 1, 100_000
        ),
        waitlist_hold_minutes=_integer(
            env, "WAITLIST_HOLD_MINUTES", Settings.waitlist_hold_minutes, 5, 7 * 24 * 60
        ),
        outbox_relay_seconds=_integer(
            env, "OUTBOX_RELAY_SECONDS", Settings.outbox_relay_seconds, 0, 3600
        ),
        workers=_integer(env, "WORKERS", Settings.workers, 1, 64),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
