"""Settings from flags and ``HALCRM_*`` variables, and the account token kept in the data folder."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_PROJECT = "local"
TOKEN_FILE = "account_token"
T = TypeVar("T", int, float)


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get("HALCRM_DATA_DIR")
    if override:
        return Path(override).expanduser()
    # Here: a process told its folder (a service, a container) never loads it.
    from platformdirs import user_data_path

    return user_data_path("halcrm", appauthor=False)


def _number(env: Mapping[str, str], name: str, kind: type[T], default: T) -> T:
    """A non-negative number from the environment, with a message naming the variable."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)  # type: ignore[call-arg]
    except ValueError:
        raise ValueError(f"{name} must be a number, not {text!r}") from None
    if value < 0:  # type: ignore[operator]
        raise ValueError(f"{name} must not be negative")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the composition root needs; built once, passed down, never global."""

    data_dir: Path
    db: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    project_id: str = DEFAULT_PROJECT
    # Whether the project was named (--project or HALCRM_PROJECT_ID), not the default: a board
    # attached to a server shows the server's own default project unless one was named.
    project_named: bool = False
    account_token_override: str | None = None
    max_body_bytes: int = 64 * 1024
    # Rate limits (requests a second on average, burst size); a rate of 0 turns one off.
    widget_rate: float = 20.0
    widget_burst: int = 60
    api_key_rate: float = 50.0
    api_key_burst: int = 100
    # Daily SQLite backups in data_dir/backups, kept this many days; 0 turns them off.
    backup_days: int = 7
    # Ceilings over all visitors: per client address and per project.
    client_rate: float = 100.0
    client_burst: int = 300
    project_rate: float = 1000.0
    project_burst: int = 3000
    # Where rate limits live: Redis (shared by several server processes) when set, else memory.
    redis_url: str | None = None
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks,
    # comma-separated); none by default, so nothing on the host can forge a client address.
    trusted_proxies: str = ""
    # Seconds a connection may take to send its request headers, and then its body.
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Reads ``HALCRM_*`` variables; explicit overrides (CLI flags) win when not ``None``."""
        env = os.environ if env is None else env
        data_dir = default_data_dir(env)
        port_text = env.get("HALCRM_PORT")
        settings = cls(
            data_dir=data_dir,
            db=env.get("HALCRM_DB") or str(data_dir / "halcrm.db"),
            host=env.get("HALCRM_HOST") or DEFAULT_HOST,
            port=int(port_text) if port_text else DEFAULT_PORT,
            project_id=env.get("HALCRM_PROJECT_ID") or DEFAULT_PROJECT,
            account_token_override=env.get("HALCRM_ACCOUNT_TOKEN") or None,
            max_body_bytes=_number(env, "HALCRM_MAX_BODY_BYTES", int, 64 * 1024),
            widget_rate=_number(env, "HALCRM_WIDGET_RATE", float, 20.0),
            widget_burst=_number(env, "HALCRM_WIDGET_BURST", int, 60),
            api_key_rate=_number(env, "HALCRM_API_KEY_RATE", float, 50.0),
            api_key_burst=_number(env, "HALCRM_API_KEY_BURST", int, 100),
            backup_days=_number(env, "HALCRM_BACKUP_DAYS", int, 7),
            client_rate=_number(env, "HALCRM_CLIENT_RATE", float, 100.0),
            client_burst=_number(env, "HALCRM_CLIENT_BURST", int, 300),
            project_rate=_number(env, "HALCRM_PROJECT_RATE", float, 1000.0),
            project_burst=_number(env, "HALCRM_PROJECT_BURST", int, 3000),
            redis_url=env.get("HALCRM_REDIS_URL") or None,
            trusted_proxies=env.get("HALCRM_TRUSTED_PROXIES", "").strip(),
            header_timeout=_number(env, "HALCRM_HEADER_TIMEOUT", float, 10.0),
            body_timeout=_number(env, "HALCRM_BODY_TIMEOUT", float, 30.0),
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        named = "project_id" in given or bool(env.get("HALCRM_PROJECT_ID"))
        return replace(settings, **given, project_named=named)  # type: ignore[arg-type]

    @property
    def log_file(self) -> Path:
        return self.data_dir / "halcrm.log"

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def account_token(self) -> str:
        """The account API's bearer token: the override, else the stored one (made on first use)."""
        if self.account_token_override:
            return self.account_token_override
        path = self.data_dir / TOKEN_FILE
        if path.exists():
            token = path.read_text().strip()
            if token:
                return token
        self.data_dir.mkdir(parents=True, exist_ok=True)
        token = "hcrm_" + secrets.token_urlsafe(32)
        # Written private to the user: the token grants the whole CRM.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")
        return token
