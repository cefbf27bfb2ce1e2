from datetime import timedelta

import pytest
from sqlalchemy import func, select

from examapp.extensions import db
from examapp.models import AuditEvent, LoginFailure, User
from tests.conftest import PASSWORD, login


def test_login_and_home_shows_profile(client, world):
    r = login(client, "employee")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert "张三" in html and "甲区综合股" in html


def test_wrong_password_is_401_and_counted(client, world):
    r = login(client, "employee", "wrong-password")
    assert r.status_code == 401
    assert "工号或密码不正确" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 1


def test_unknown_user_gets_the_same_answer(client, world):
    r = login(client, "nobody", "whatever-1")
    assert r.status_code == 401 and "工号或密码不正确" in r.get_data(as_text=True)


def test_login_is_audited(client, world):
    login(client, "employee")
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.actor_name == "employee")) == "auth.login"


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example",
                                    "https:evil.example"])
def test_next_never_leaves_the_site(client, world, target):
    r = client.post(f"/login?next={target}", data={"username": "employee", "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_next_to_a_local_page(client, world):
    r = client.post("/login?next=/account/password", data={"username": "employee", "password": PASSWORD})
    assert r.headers["Location"] == "/account/password"


def test_anonymous_is_sent_to_login_with_next(client, world):
    r = client.get("/admin/users?page=2")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/admin/users")


def test_logout_kills_a_copied_cookie(app, world):
    c = app.test_client()
    login(c, "employee")
    stolen = c.get_cookie("session").value
    assert c.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    r = thief.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_logout_needs_post(login_as):
    c = login_as("employee")
    assert c.get("/logout").status_code == 405
    assert c.get("/").status_code == 200


def test_remember_me_is_off_for_admins_and_short_for_others(app, world):
    admin = app.test_client()
    login(admin, "admin", remember="y")
    assert admin.get_cookie("remember_token") is None
    person = app.test_client()
    login(person, "employee", remember="y")
    cookie = person.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=7)


def test_session_cookie_flags(app, world):
    c = app.test_client()
    login(c, "employee")
    cookie = c.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_secure_cookies_in_production(monkeypatch):
    from examapp.config import ProductionConfig
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE and ProductionConfig.HSTS


def test_first_login_must_change_password(app, world):
    from tests.conftest import make_user
    make_user("newbie", world.a1, must_change=True, name="新人")
    c = app.test_client()
    r = login(c, "newbie")
    assert r.headers["Location"] == "/account/password"
    assert c.get("/").headers["Location"] == "/account/password"
    r = c.post("/account/password", data={"current_password": PASSWORD, "new_password": "newbie-2026",
                                          "confirm": "newbie-2026"})
    assert r.status_code == 400 and "密码不能包含用户名" in r.get_data(as_text=True)
    r = c.post("/account/password", data={"current_password": PASSWORD, "new_password": "Fresh-Start-88",
                                          "confirm": "Fresh-Start-88"})
    assert r.status_code == 302
    assert c.get("/").status_code == 200
    assert not db.session.scalar(select(User.must_change_password).where(User.username == "newbie"))


def test_change_password_ends_other_sessions(app, world):
    a, b = app.test_client(), app.test_client()
    login(a, "employee")
    login(b, "employee")
    r = a.post("/account/password", data={"current_password": PASSWORD, "new_password": "Another-Pass-9",
                                          "confirm": "Another-Pass-9"})
    assert r.status_code == 302
    assert a.get("/").status_code == 200
    assert b.get("/").status_code == 302


def test_wrong_current_password_is_named(login_as):
    c = login_as("employee")
    r = c.post("/account/password", data={"current_password": "nope-nope-1", "new_password": "Another-Pass-9",
                                          "confirm": "Another-Pass-9"})
    assert r.status_code == 400 and "当前密码不正确" in r.get_data(as_text=True)


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, world):
    c = app.test_client()
    login(c, "employee")
    world.employee.active = False
    db.session.commit()
    assert c.get("/").status_code == 302
    assert login(app.test_client(), "employee").status_code == 401
