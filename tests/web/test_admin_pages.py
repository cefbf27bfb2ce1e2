import re

from sqlalchemy import select

from examapp.extensions import db
from examapp.models import OrgUnit, User


def test_admin_creates_a_unit_and_a_person_in_it(login_as, world):
    c = login_as("admin")
    r = c.post("/admin/units/new", data={"code": "C", "name": "丙区局", "kind": "district",
                                         "parent_id": world.root.id, "sort_order": 5})
    assert r.status_code == 302
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "C"))
    r = c.post("/admin/users/new", data={"username": "c01", "name": "丙一", "unit_id": unit.id,
                                         "role_employee": "y", "is_enforcement": "y"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "仅显示这一次" in html
    shown = re.search(r'<code>([^<]+)</code>', html).group(1)
    user = db.session.scalar(select(User).where(User.username == "c01"))
    assert user.is_enforcement and user.must_change_password and shown not in user.password_hash


def test_user_list_paginates_and_filters(login_as, world):
    from tests.conftest import make_user
    for i in range(25):
        make_user(f"bulk{i:02d}", world.a1)
    c = login_as("admin")
    html = c.get(f"/admin/users?unit={world.a1.id}").get_data(as_text=True)
    rows = re.compile(r'href="/admin/users/\d+"')
    assert "共 26 条，第 1 / 2 页" in html and len(rows.findall(html)) == 20
    page2 = c.get(f"/admin/users?unit={world.a1.id}&page=2").get_data(as_text=True)
    assert "bulk24" in page2 and len(rows.findall(page2)) == 6
    assert "bulk" not in c.get("/admin/users?q=张").get_data(as_text=True)


def test_unit_admin_sees_only_the_subtree(login_as, world):
    c = login_as("unit_admin")
    html = c.get("/admin/users?active=").get_data(as_text=True)
    assert "victim" in html and "bperson" not in html
    assert c.get(f"/admin/users/{world.b_person.id}").status_code == 404
    assert c.get(f"/admin/units/{world.b.id}").status_code == 404
    units = c.get("/admin/units").get_data(as_text=True)
    assert "甲区工业股" in units and "乙区局" not in units


def test_role_admin_slipped_into_a_form_is_refused(login_as, world):
    c = login_as("unit_admin")
    r = c.post(f"/admin/users/{world.victim.id}", data={
        "username": "victim", "name": "李四", "unit_id": world.a2.id, "role_employee": "y", "role_admin": "y"})
    assert "无权授予或撤销角色" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.victim.id).role_names == {"employee"}


def test_auditor_reads_but_cannot_change(login_as, world):
    c = login_as("auditor")
    html = c.get(f"/admin/users/{world.victim.id}").get_data(as_text=True)
    assert "李四" in html and "<form" not in html.split("</nav>", 1)[1].replace('action="/logout"', "")
    r = c.post(f"/admin/users/{world.victim.id}", data={"username": "victim", "name": "改名", "unit_id": world.a2.id})
    assert r.status_code == 403
    assert db.session.get(User, world.victim.id).name == "李四"


def test_audit_log_filters(login_as, world):
    c = login_as("admin")
    c.post(f"/admin/users/{world.victim.id}/reset-password")
    html = c.get("/audit/events?action=user.password_reset").get_data(as_text=True)
    assert "user.password_reset" in html and "auth.login" not in html
    html = c.get(f"/audit/events?object_type=user&object_id={world.victim.id}").get_data(as_text=True)
    assert "user.password_reset" in html
    assert "auth.login" in c.get("/audit/events?actor=admin&from=2000-01-01&to=2999-12-31").get_data(as_text=True)
    assert "没有符合条件的事件" in c.get("/audit/events?from=2000-01-01&to=2000-01-02").get_data(as_text=True)


def test_scoped_auditor_sees_only_their_subtree_events(login_as, world):
    admin = login_as("admin")
    admin.post(f"/admin/users/{world.b_person.id}/reset-password")
    admin.post(f"/admin/users/{world.victim.id}/reset-password")
    from tests.conftest import make_user  # noqa: F401
    a_auditor = world.a_auditor
    from tests.conftest import login
    c = admin.application.test_client()
    login(c, a_auditor.username)
    html = c.get("/audit/events?action=user.password_reset").get_data(as_text=True)
    assert f"user #{world.victim.id}" in html and f"user #{world.b_person.id}" not in html


def test_home_pages_per_role(login_as):
    assert "单位与人员" in login_as("admin").get("/").get_data(as_text=True)
    assert "审计链" in login_as("auditor").get("/").get_data(as_text=True)
    employee = login_as("employee").get("/").get_data(as_text=True)
    assert "我的信息" in employee and "单位与人员" not in employee
