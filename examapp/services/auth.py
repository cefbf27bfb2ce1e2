"""Logging in and out, and changing one's own password."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..domain.passwords import check_password_policy
from ..errors import LoginThrottled, ValidationError
from ..extensions import db
from ..models import LoginFailure, User
from . import audit
from .passwords import hash_password, verify_password
from .tx import begin_write, commit

WINDOW = timedelta(hours=1)


def _failures_in_window(username: str, now: datetime) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.username == username, LoginFailure.at > now - WINDOW)
    ) or 0


def authenticate(username: str, password: str, *, ip: str, now: datetime) -> User | None:
    """The user when the password is right; None when wrong; LoginThrottled past the hourly limit.

    The password is checked before the write transaction: scrypt takes ~0.1 s, and on SQLite the write lock
    would hold every save and submit of the bureau behind it. Then the account row is locked while its
    failures are counted and one is added, so however many workers run, at most LOGIN_FAILURES_PER_HOUR
    wrong passwords are recorded per account and hour, and past the limit even a right one is refused (S7).
    """
    username = (username or "").strip()[:64]
    if "\x00" in username:
        return None     # no account has one, and PostgreSQL cannot even compare it: a wrong login, not a 500
    limit = current_app.config["LOGIN_FAILURES_PER_HOUR"]
    if _failures_in_window(username, now) >= limit:
        db.session.rollback()
        raise LoginThrottled("登录失败次数过多，请一小时后再试或联系管理员")
    found = db.session.execute(select(User.password_hash, User.active).where(User.username == username)).first()
    db.session.rollback()                   # no transaction stays open while the hash is computed
    # an unknown account costs the same hash as a known one: timing does not tell which usernames exist
    ok = verify_password(found.password_hash if found is not None else "", password)
    ok = ok and found is not None and found.active
    begin_write()
    user = db.session.execute(
        select(User).where(User.username == username).with_for_update()
    ).scalar_one_or_none()
    if _failures_in_window(username, now) >= limit:
        db.session.rollback()
        raise LoginThrottled("登录失败次数过多，请一小时后再试或联系管理员")
    ok = ok and user is not None and user.active and user.password_hash == found.password_hash
    if not ok:
        db.session.add(LoginFailure(username=username, at=now, ip=(ip or "")[:64]))
        commit()
        return None
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username,
                                                  LoginFailure.at < now - WINDOW))
    audit.record("auth.login", actor=user, now=now, object_type="user", object_id=user.id, data={"ip": ip})
    commit()
    return user


def confirm_password(user: User, password: str, *, ip: str, now: datetime) -> bool:
    """A logged-in user enters the password again before a sensitive change (S12). Wrong entries count
    against the same hourly limit as wrong logins, so a stolen session cannot guess the password."""
    limit = current_app.config["LOGIN_FAILURES_PER_HOUR"]
    if _failures_in_window(user.username, now) >= limit:
        db.session.rollback()
        raise LoginThrottled("登录失败次数过多，请一小时后再试或联系管理员")
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    db.session.rollback()                   # the hash is computed outside any transaction, as for a login
    ok = verify_password(stored, password or "")
    begin_write()
    user = db.session.execute(select(User).where(User.id == user.id).with_for_update()).scalar_one()
    if _failures_in_window(user.username, now) >= limit:
        db.session.rollback()
        raise LoginThrottled("登录失败次数过多，请一小时后再试或联系管理员")
    if not ok or user.password_hash != stored:
        db.session.add(LoginFailure(username=user.username, at=now, ip=(ip or "")[:64]))
        commit()
        return False
    audit.record("auth.reauth", actor=user, now=now, object_type="user", object_id=user.id, data={"ip": ip})
    commit()
    return True


def logout(user: User, *, now: datetime) -> None:
    """Ends every session of this login: the session version stored in cookies no longer matches."""
    begin_write()
    user = db.session.get(User, user.id)
    user.session_version += 1
    audit.record("auth.logout", actor=user, now=now, object_type="user", object_id=user.id)
    commit()


def change_password(user: User, *, current: str, new: str, now: datetime) -> User:
    begin_write()
    user = db.session.get(User, user.id)
    if not verify_password(user.password_hash, current):
        db.session.rollback()
        raise ValidationError("current_password", "当前密码不正确")
    if verify_password(user.password_hash, new):
        db.session.rollback()
        raise ValidationError("new_password", "新密码不能与当前密码相同")
    check_password_policy(new, username=user.username, name=user.name,
                          min_length=current_app.config["PASSWORD_MIN_LENGTH"], field="new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = now
    user.session_version += 1
    audit.record("user.password_change", actor=user, now=now, object_type="user", object_id=user.id)
    commit()
    return user
