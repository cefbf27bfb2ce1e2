import io
import json
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from examapp.extensions import db
from examapp.models import User

CSV = "工号,姓名,单位编码,执法岗位\nw1,网页一,A1,是\nw2,网页二,A2,否\n".encode()


def upload(client, data: bytes, name="people.csv", kind="people"):
    return client.post("/admin/imports/preview", data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_template_download_has_chinese_headers(login_as):
    r = login_as("admin").get("/admin/imports/template/people.xlsx")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(r.data)).active["A1"].value == "工号*"
    assert login_as("admin").get("/admin/imports/template/units.csv").data.decode("utf-8-sig").startswith("单位编码")


def test_preview_then_apply(login_as):
    c = login_as("unit_admin")
    r = upload(c, CSV)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "将新增" in html and "w2" in html
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username.in_(["w1", "w2"]))) == 0
    token = re.search(r'name="token"[^>]*value="([^"]+)"', html).group(1)
    r = c.post("/admin/imports/apply", data={"kind": "people", "token": token, "filename": "people.csv",
                                             "initial_password": "Welcome-2026"})
    assert r.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username.in_(["w1", "w2"]))) == 2
    again = c.post("/admin/imports/apply", data={"kind": "people", "token": token, "filename": "people.csv",
                                                 "initial_password": "Welcome-2026"})
    assert again.status_code == 302 and "/admin/imports" in again.headers["Location"]  # the file is gone


def test_apply_streams_progress_lines(login_as):
    c = login_as("admin")
    rows = "".join(f"s{i:04d},流{i},A1,否\n" for i in range(600))
    html = upload(c, ("工号,姓名,单位编码,执法岗位\n" + rows).encode()).get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', html).group(1)
    r = c.post("/admin/imports/apply", headers={"Accept": "application/x-ndjson"},
               data={"kind": "people", "token": token, "filename": "p.csv", "initial_password": "Welcome-2026"})
    lines = [json.loads(x) for x in r.get_data(as_text=True).splitlines()]
    assert lines[:2] == [{"done": 250, "total": 600}, {"done": 500, "total": 600}]
    assert lines[-1]["ok"] and lines[-1]["created"] == 600


def test_preview_lists_errors_and_offers_no_apply(login_as):
    r = upload(login_as("admin"), "工号,姓名,单位编码\nw1,甲,NOPE\n".encode())
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "第 2 行「单位编码」列" in html and "确认导入" not in html


def test_weak_initial_password_is_refused(login_as):
    c = login_as("admin")
    html = upload(c, CSV).get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', html).group(1)
    r = c.post("/admin/imports/apply", data={"kind": "people", "token": token, "initial_password": "123"},
               follow_redirects=True)
    assert "初始密码不符合要求" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "w1")) == 0


def test_a_token_from_another_admin_is_useless(login_as):
    html = upload(login_as("admin"), CSV).get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', html).group(1)
    r = login_as("unit_admin").post("/admin/imports/apply", data={"kind": "people", "token": token,
                                                                  "initial_password": "Welcome-2026"})
    assert r.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "w1")) == 0


def test_wrong_extension_is_named(login_as):
    r = upload(login_as("admin"), b"x", name="people.pdf")
    assert r.status_code == 400 and "只支持 .xlsx 和 .csv 文件" in r.get_data(as_text=True)
