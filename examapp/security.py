"""Who is logged in, and who may use which endpoint.

Every view declares its access with one of the decorators below; an endpoint without a
declaration is refused (fail closed), and the role × route test enumerates them all.
"""
from dataclasses import dataclass

from flask import current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .extensions import db, login_manager
from .models import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@login_manager.user_loader
def load_user(user_id: str):
    try:
        uid, version = (int(part) for part in user_id.split(":", 1))
    except (ValueError, AttributeError):
        return None
    # the roles come in the same statement: every request checks them, and exam day is thousands of requests
    user = db.session.execute(select(User).options(joinedload(User.roles)).where(User.id == uid)
                              ).unique().scalar_one_or_none()
    if user is None or not user.active or user.session_version != version:
        return None  # logged out elsewhere, deactivated, or password changed: the old cookie is dead
    return user


@dataclass(frozen=True)
class Access:
    public: bool = False
    read: frozenset = frozenset()     # roles that may GET; empty with login=True: any logged-in user
    write: frozenset = frozenset()    # roles that may POST/PUT/DELETE
    login: bool = False               # any logged-in user, reads and writes to their own account
    allow_pending_password: bool = False
    post_reads: bool = False          # a POST that only reads (checks an uploaded file): the read roles may

    def allows(self, user, method: str) -> bool:
        if self.public:
            return True
        if self.login:
            return True
        reading = method in SAFE_METHODS or (self.post_reads and method == "POST")
        roles = self.read if reading else self.write
        return user.has_role(*roles)


def _declare(access: Access):
    def decorator(view):
        view.access = access
        return view
    return decorator


def public(view):
    return _declare(Access(public=True))(view)


def login_only(view=None, *, allow_pending_password: bool = False):
    decorator = _declare(Access(login=True, allow_pending_password=allow_pending_password))
    return decorator(view) if view is not None else decorator


def roles(read: tuple[str, ...], write: tuple[str, ...] = ()):
    """`read` roles may GET; `write` roles may also change things. Auditors never write (S2)."""
    assert "auditor" not in write, "auditors change nothing"
    return _declare(Access(read=frozenset(read), write=frozenset(write)))


def reads_with_body(read: tuple[str, ...]):
    """Reads that need a body: the view takes a POST (an uploaded file to check) but changes nothing, so
    the `read` roles, auditors included, may send it. Such a view writes no record at all (an audit event
    at most) and still needs the CSRF token. `roles()` keeps refusing auditors every real write (S2)."""
    return _declare(Access(read=frozenset(read), post_reads=True))


STATIC_ENDPOINTS = {"static", "bootstrap.static"}


def access_for(endpoint: str | None) -> Access | None:
    if endpoint in STATIC_ENDPOINTS:
        return Access(public=True)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def enforce_access():
    """before_request: authenticate, force a pending password change, then check roles."""
    if request.endpoint is None:
        return None  # 404/405 follow
    access = access_for(request.endpoint)
    if access is None:
        current_app.logger.error("endpoint %s declares no access; refused", request.endpoint)
        return _deny(403)
    if access.public:
        return None
    if not current_user.is_authenticated:
        if wants_json():
            return jsonify(error="authentication required"), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.must_change_password and not access.allow_pending_password:
        if wants_json():     # an API client cannot follow a redirect to a form
            return jsonify(error="须先修改初始密码", message="请先在网页上修改初始密码"), 403
        return redirect(url_for("auth.change_password"))
    if not access.allows(current_user, request.method):
        return _deny(403)
    return None


def _deny(status: int):
    from flask import abort
    abort(status)
