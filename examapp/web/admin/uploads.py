"""Uploaded files waiting between their preview and the confirmation, kept per admin in the instance folder."""
import re
import secrets
import time
from pathlib import Path, PurePath

from flask import current_app, flash
from flask_login import current_user

STALE_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[0-9a-f]{32}\.[a-z]{2,5}$")


def _folder() -> Path:
    path = Path(current_app.config["INSTANCE_PATH"]) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(token: str) -> Path | None:
    if not TOKEN_RE.match(token or ""):
        return None
    return _folder() / f"{current_user.id}-{token}"   # another admin's token finds nothing


def safe_name(name: str | None, default: str = "upload") -> str:
    """The file's own name, without any folder a browser or a form field put before it."""
    return PurePath(name or default).name[:120]


def flash_errors(form) -> None:
    """An upload form that did not validate: each of its messages as a flash."""
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")


def keep(data: bytes, filename: str) -> str:
    cutoff = time.time() - STALE_SECONDS
    for old in _folder().iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:     # lessons/ keeps the study files
            old.unlink(missing_ok=True)
    token = f"{secrets.token_hex(16)}{PurePath(filename).suffix.lower()}"
    _path(token).write_bytes(data)
    return token


def load(token: str) -> bytes | None:
    path = _path(token)
    return path.read_bytes() if path is not None and path.exists() else None


def drop(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
