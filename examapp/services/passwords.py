"""Hashing with the configured strong, salted method (S10), a bounded number at a time.

One scrypt check takes ~0.1 s of a core. When a bureau logs in at once before an exam, unbounded checks would
take every core and thread from the takers already answering; a process runs at most PASSWORD_CHECKS_AT_ONCE
of them and a login that cannot get a turn within PASSWORD_CHECK_WAIT_SECONDS is asked to retry (503).
"""
from contextlib import contextmanager
from threading import BoundedSemaphore

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Busy

# Checked when the account does not exist, so that timing does not reveal which usernames exist.
_DUMMY = {}


def _turns() -> BoundedSemaphore:
    return current_app.extensions.setdefault(
        "examapp.password_turns", BoundedSemaphore(current_app.config["PASSWORD_CHECKS_AT_ONCE"]))


@contextmanager
def _turn():
    turns = _turns()
    if not turns.acquire(timeout=current_app.config["PASSWORD_CHECK_WAIT_SECONDS"]):
        raise Busy("登录的人较多，请稍候几秒再试")
    try:
        yield
    finally:
        turns.release()


def hash_password(password: str) -> str:
    with _turn():
        return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(stored_hash: str, password: str) -> bool:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if not stored_hash and method not in _DUMMY:
        _DUMMY[method] = generate_password_hash("not-a-password", method=method)
    with _turn():
        if not stored_hash:
            check_password_hash(_DUMMY[method], password)
            return False
        return check_password_hash(stored_hash, password)
