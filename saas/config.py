"""Configuration: config/*.toml, then REKINDLE_* environment variables.

The embedded default needs two secrets (the session key and a master key);
they are generated once into ``instance/`` and never committed.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


def load_config(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config`` in order: default.toml, <env>.toml, environment, overrides."""
    app.config.from_file(str(CONFIG_DIR / "default.toml"), load=tomllib.load, text=False)
    env_name = (overrides or {}).get("ENV") or os.environ.get("REKINDLE_ENV") or "development"
    env_file = CONFIG_DIR / f"{env_name}.toml"
    if env_file.exists():
        app.config.from_file(str(env_file), load=tomllib.load, text=False)
    app.config.from_prefixed_env("REKINDLE")
    if overrides:
        app.config.update(overrides)
    _fill_embedded_defaults(app)


def _fill_embedded_defaults(app: Flask) -> None:
    instance = Path(app.instance_path)
    if not app.config.get("DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'rekindle.sqlite3'}"
    if not app.config.get("SECRET_KEY"):
        fresh = secrets.token_urlsafe(48)
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key", fresh)
    if not app.config.get("MASTER_KEYS"):
        generated = Fernet.generate_key().decode()
        app.config["MASTER_KEYS"] = _instance_secret(instance / "master_keys", generated)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"


def _instance_secret(path: Path, generated: str) -> str:
    """Read a secret from ``path``, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(generated + "\n")
    return generated
