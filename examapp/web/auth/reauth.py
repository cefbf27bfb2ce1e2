"""A recent password entry before a sensitive change (S12): role changes, approval decisions, certificate
revocation requests. Signing in counts as an entry; after RECENT_PASSWORD_SECONDS the password must be
entered again on /account/confirm, which sends the user back to the page they came from."""
from functools import wraps

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _

from ...clock import utcnow

SESSION_KEY = "password_at"
DEFAULT_MAX_AGE = 300  # Config.RECENT_PASSWORD_SECONDS


def mark_password_entered() -> None:
    session[SESSION_KEY] = utcnow().timestamp()


def password_is_recent(max_age: int | None = None) -> bool:
    max_age = max_age if max_age is not None else current_app.config.get("RECENT_PASSWORD_SECONDS", DEFAULT_MAX_AGE)
    entered = session.get(SESSION_KEY)
    if not isinstance(entered, int | float):
        return False
    return 0 <= utcnow().timestamp() - entered <= max_age


def ask_for_password(back: str | None = None):
    """The redirect to the confirmation page; `back` (a local path) is where it returns."""
    flash(_("此操作需要再次输入密码"), "warning")
    return redirect(url_for("auth.confirm_password", next=back or request.full_path.rstrip("?")))


def require_recent_password(view=None, *, max_age: int | None = None):
    """For views whose every write is sensitive: a POST/PUT/DELETE with a stale entry goes to the
    confirmation page and changes nothing."""
    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            if request.method not in ("GET", "HEAD", "OPTIONS") and not password_is_recent(max_age):
                return ask_for_password(request.path)
            return fn(*args, **kwargs)
        return wrapper
    return decorator(view) if view is not None else decorator
