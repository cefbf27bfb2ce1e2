"""B2 in the small: logins before an exam take turns at the password hash, so they cannot take every core and
thread from the takers; a login that gets no turn is asked to retry, and that is not a wrong password."""
from sqlalchemy import func, select

from examapp.extensions import db
from examapp.models import LoginFailure
from examapp.services import passwords
from tests.conftest import PASSWORD


def _all_turns_taken(app):
    with app.app_context():
        turns = passwords._turns()
    for _ in range(app.config["PASSWORD_CHECKS_AT_ONCE"]):
        assert turns.acquire(blocking=False)
    return turns


def _release(app, turns):
    for _ in range(app.config["PASSWORD_CHECKS_AT_ONCE"]):
        turns.release()


def test_a_login_that_gets_no_turn_is_asked_to_retry_and_counts_as_no_failure(app, client, world):
    app.config["PASSWORD_CHECK_WAIT_SECONDS"] = 0.05
    turns = _all_turns_taken(app)
    try:
        page = client.post("/login", data={"username": "employee", "password": PASSWORD})
        api = client.post("/api/v1/auth/login", json={"username": "employee", "password": PASSWORD})
    finally:
        _release(app, turns)
    assert page.status_code == 503 and page.headers["Retry-After"] == "2"
    assert "登录的人较多" in page.get_data(as_text=True)
    assert 'name="username"' in page.get_data(as_text=True)          # the form is there to try again
    assert api.status_code == 503 and api.headers["Retry-After"] == "2" and "登录的人较多" in api.json["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0
    # with a turn free the same login goes through
    assert client.post("/api/v1/auth/login", json={"username": "employee", "password": PASSWORD}).status_code == 200


def test_an_unknown_account_costs_a_hash_like_a_known_one(app, client, world, monkeypatch):
    checked = []
    real = passwords.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash", lambda h, p: checked.append(p) or real(h, p))
    assert client.post("/api/v1/auth/login", json={"username": "nobody-here", "password": "x"}).status_code == 401
    assert client.post("/api/v1/auth/login", json={"username": "employee", "password": "x"}).status_code == 401
    assert checked == ["x", "x"]
