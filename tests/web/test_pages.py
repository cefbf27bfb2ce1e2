"""Headers, health, language, error pages, and no request ever leaving the machine."""
import re

import pytest
from sqlalchemy.exc import OperationalError

from tests.conftest import login

EXTERNAL = re.compile(r"""(?:src|href|action|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", re.I)


def test_security_headers(client):
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in r.headers


def test_hsts_in_production(app, client):
    app.config["HSTS"] = True
    assert "max-age" in client.get("/login").headers["Strict-Transport-Security"]


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok", "db": "ok"}


def test_healthz_503_when_the_database_is_down(app, client, monkeypatch):
    from examapp.extensions import db

    def down(*a, **k):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", down)
    r = client.get("/healthz")
    assert r.status_code == 503 and r.get_json()["db"] == "unreachable"


@pytest.mark.parametrize("role", ["employee", "unit_admin", "auditor", "admin"])
def test_rendered_pages_load_nothing_from_outside(app, world, small_law, login_as, role):
    c = login_as(role)
    pages = ["/", "/admin/units", "/admin/users", "/admin/imports", "/audit/events", "/audit/verify",
             "/account/password", f"/admin/users/{world.victim.id}", f"/admin/units/{world.a2.id}",
             "/admin/users/new", "/admin/units/new", "/nope", "/laws/", "/laws/test_law",
             "/laws/test_law/articles/2", "/laws/search?q=期限", "/practice/", "/practice/question?law=test_law",
             "/practice/notebook", "/practice/stats", "/practice/mock", "/admin/questions", "/admin/questions/1",
             "/admin/questions/new", "/admin/questions/import", "/admin/laws", "/admin/laws/test_law/coverage"]
    for page in pages:
        r = c.get(page)
        assert r.status_code < 500
        html = r.get_data(as_text=True)
        assert not EXTERNAL.search(html), f"{page} references an external URL"
        assert "<script>" not in html and " style=" not in html and "onclick" not in html, page
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert "<" not in title and len(title) < 120, page


def test_bootstrap_is_served_locally(client):
    html = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="([^"]*bootstrap[^"]*\.css)"', html).group(1)
    assert css.startswith("/") and client.get(css).status_code == 200


def test_error_pages_share_the_layout(login_as):
    c = login_as("employee")
    r = c.get("/admin/units")
    assert r.status_code == 403 and "没有权限" in r.get_data(as_text=True) and "navbar" in r.get_data(as_text=True)
    r = c.get("/no/such/page")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)


def test_chinese_by_default_english_on_request(client, world):
    assert "登录" in client.get("/login").get_data(as_text=True)
    r = client.get("/lang/en?next=/login")
    assert r.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert "Log in" in html and 'lang="en"' in html
    login(client, "employee")
    assert "My profile" in client.get("/").get_data(as_text=True)


def test_language_switch_never_redirects_away(client):
    assert client.get("/lang/en?next=//evil.example").headers["Location"] == "/"


def test_script_in_a_name_is_escaped(login_as, world):
    from examapp.extensions import db
    world.victim.name = "<script>alert(1)</script>"
    db.session.commit()
    html = login_as("admin").get("/admin/users?q=victim").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_malformed_requests_never_500(login_as):
    c = login_as("admin")
    for url in ["/admin/users?page=abc", "/admin/users?unit=99999", "/admin/users?unit=x&role=zz&flag=__class__",
                "/audit/events?from=2026-13-40&to=x&page=-1", "/admin/imports/template/evil.pdf",
                "/admin/units/999999", "/admin/users/999999"]:
        assert c.get(url).status_code < 500, url
    assert c.post("/admin/imports/apply", data={"kind": "x", "token": "../../etc/passwd"}).status_code == 400
    assert c.post("/admin/units/new", data={"parent_id": "abc"}).status_code == 400
