"""Hashing with the configured strong, salted method (S10)."""
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

# Checked when the account does not exist, so that timing does not reveal which usernames exist.
_DUMMY = {}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(stored_hash: str, password: str) -> bool:
    if not stored_hash:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY:
            _DUMMY[method] = generate_password_hash("not-a-password", method=method)
        check_password_hash(_DUMMY[method], password)
        return False
    return check_password_hash(stored_hash, password)
