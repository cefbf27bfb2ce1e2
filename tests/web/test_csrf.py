"""One test file keeps CSRF on (S3)."""
import re

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def token_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_login_form_fields_and_token(csrf_app, world):
    c = csrf_app.test_client()
    html = c.get("/login").get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html and 'name="csrf_token"' in html
    r = c.post("/login", data={"username": "employee", "password": PASSWORD, "csrf_token": token_from(html)})
    assert r.status_code == 302


def test_post_without_token_is_400(csrf_app, world):
    c = csrf_app.test_client()
    r = c.post("/login", data={"username": "employee", "password": PASSWORD})
    assert r.status_code == 400


def test_foreign_token_is_400_and_changes_nothing(csrf_app, world):
    attacker = csrf_app.test_client()
    foreign = token_from(attacker.get("/login").get_data(as_text=True))
    victim = csrf_app.test_client()
    html = victim.get("/login").get_data(as_text=True)
    victim.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token_from(html)})
    r = victim.post("/admin/units/new", data={"code": "EVIL", "name": "恶意单位", "kind": "department",
                                              "parent_id": world.root.id, "csrf_token": foreign})
    assert r.status_code == 400
    assert "安全令牌" in r.get_data(as_text=True)
    from sqlalchemy import select

    from examapp.extensions import db
    from examapp.models import OrgUnit
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "EVIL")) is None


def test_logout_without_token_is_refused(csrf_app, world):
    c = csrf_app.test_client()
    html = c.get("/login").get_data(as_text=True)
    c.post("/login", data={"username": "employee", "password": PASSWORD, "csrf_token": token_from(html)})
    assert c.post("/logout").status_code == 400
    assert c.get("/").status_code == 200
