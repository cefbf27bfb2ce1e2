"""The notification centre as a person uses it: the unread count in the navbar, the list, opening one,
marking all read, someone else's message (404); and the e-mail address on the user form and in imports."""
import re
from datetime import timedelta

from sqlalchemy import select

from examapp.extensions import db
from examapp.models import Notification, User
from examapp.services import imports, notifications
from tests.conftest import NOW


def send(user, key: str, title: str, link: str = "/exams/", minutes: int = 0):
    notifications.notify_many([user], key, "info", title, f"{title}的正文", link, NOW + timedelta(minutes=minutes))
    return db.session.scalar(select(Notification).where(Notification.user_id == user.id, Notification.key == key))


def badge(html: str) -> int:
    found = re.search(r'data-unread="(\d+)"', html)
    return int(found.group(1)) if found else 0


def test_the_navbar_shows_the_unread_count(login_as, world):
    c = login_as("employee")
    assert badge(c.get("/").get_data(as_text=True)) == 0
    send(world.employee, "a", "考试即将开始")
    send(world.employee, "b", "补考通知", minutes=1)
    send(world.victim, "c", "别人的消息")
    html = c.get("/").get_data(as_text=True)
    assert badge(html) == 2 and 'href="/notifications/"' in html
    assert badge(login_as("auditor").get("/").get_data(as_text=True)) == 0


def test_the_list_opening_one_and_marking_all(login_as, world):
    c = login_as("employee")
    first = send(world.employee, "a", "考试即将开始", link="/exams/7")
    send(world.employee, "b", "补考通知", minutes=1)
    html = c.get("/notifications/").get_data(as_text=True)
    assert html.index("补考通知") < html.index("考试即将开始")          # newest first
    assert "考试即将开始的正文" in html and "2 条未读" in html
    r = c.post(f"/notifications/{first.id}/open")
    assert r.status_code == 302 and r.headers["Location"] == "/exams/7"
    db.session.expire_all()
    assert db.session.get(Notification, first.id).read_at is not None
    assert badge(c.get("/notifications/").get_data(as_text=True)) == 1
    r = c.post("/notifications/read-all", follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "已将 1 条消息标为已读" in html and badge(html) == 0 and "全部标为已读" not in html


def test_an_outside_link_is_not_followed(login_as, world):
    c = login_as("employee")
    note = send(world.employee, "x", "外部链接", link="https://evil.example/")
    r = c.post(f"/notifications/{note.id}/open")
    assert r.status_code == 302 and r.headers["Location"] == "/notifications/"


def test_someone_else_s_notification_is_not_found(login_as, world):
    theirs = send(world.victim, "v", "李四的消息")
    c = login_as("employee")
    assert c.post(f"/notifications/{theirs.id}/open").status_code == 404
    assert c.post("/notifications/999999/open").status_code == 404
    assert "李四的消息" not in c.get("/notifications/").get_data(as_text=True)
    c.post("/notifications/read-all")
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_the_list_is_paginated(login_as, world):
    for n in range(23):
        send(world.employee, f"k{n}", f"第{n:02d}条", minutes=n)
    c = login_as("employee")
    first = c.get("/notifications/").get_data(as_text=True)
    assert "第22条" in first and "第02条" not in first and "共 23 条" in first
    second = c.get("/notifications/?page=2").get_data(as_text=True)
    assert "第02条" in second and "第22条" not in second
    assert c.get("/notifications/?page=x").status_code == 200


def test_an_admin_sets_a_person_s_email(login_as, world):
    c = login_as("admin")
    form = {"username": "victim", "name": "李四", "unit_id": world.a2.id, "role_employee": "y",
            "email": "lisi@gxj.example.gov.cn"}
    assert c.post(f"/admin/users/{world.victim.id}", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.victim.id).email == "lisi@gxj.example.gov.cn"
    assert "lisi@gxj.example.gov.cn" in c.get(f"/admin/users/{world.victim.id}").get_data(as_text=True)
    r = c.post(f"/admin/users/{world.victim.id}", data={**form, "email": "lisi at gxj"})
    assert r.status_code == 400 and "邮箱格式不正确" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.victim.id).email == "lisi@gxj.example.gov.cn"
    r = c.post("/admin/users/new", data={"username": "c01", "name": "丙一", "unit_id": world.a1.id,
                                         "role_employee": "y", "email": "c01@gxj.example.gov.cn"})
    assert r.status_code == 200
    assert db.session.scalar(select(User.email).where(User.username == "c01")) == "c01@gxj.example.gov.cn"


def test_the_roster_import_reads_an_email_column(world):
    header = "工号,姓名,单位编码,邮箱\n"
    plan = imports.run("people", world.admin, "people.csv",
                       (header + "n1,赵一,A1,zhaoyi@gxj.example.gov.cn\nn2,钱二,A2,\n").encode(),
                       now=NOW, initial_password="Welcome-2026")
    assert plan.ok
    emails = dict(db.session.execute(select(User.username, User.email).where(User.username.in_(["n1", "n2"]))).all())
    assert emails == {"n1": "zhaoyi@gxj.example.gov.cn", "n2": ""}
    plan = imports.run("people", world.admin, "people.csv",
                       (header + "n1,赵一,A1,\nn2,钱二,A2,qianer@gxj.example.gov.cn\n").encode(),
                       now=NOW, initial_password="Welcome-2026")
    assert plan.ok and plan.count("update") == 1                       # an empty cell keeps the address
    emails = dict(db.session.execute(select(User.username, User.email).where(User.username.in_(["n1", "n2"]))).all())
    assert emails == {"n1": "zhaoyi@gxj.example.gov.cn", "n2": "qianer@gxj.example.gov.cn"}
    plan = imports.preview("people", world.admin, "people.csv",
                           (header + "n3,孙三,A1,ok@gxj.example.gov.cn\nn4,李四,A1,not-an-address\n").encode())
    assert not plan.ok
    assert plan.messages() == ["people.csv 第 3 行「邮箱」列：邮箱格式不正确：not-an-address"]
