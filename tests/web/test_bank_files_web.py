import io
import json
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from examapp.extensions import db
from examapp.models import Question
from tests.conftest import SMALL_BANK


def upload(c, data: bytes, name: str, law: str = ""):
    return c.post("/admin/questions/import/preview", data={"file": (io.BytesIO(data), name), "law": law},
                  content_type="multipart/form-data")


def fields(html: str) -> dict:
    return {k: re.search(rf'name="{k}"[^>]*value="([^"]*)"', html).group(1) for k in ("token", "filename", "law")}


def test_yaml_preview_then_streamed_import(login_as, small_law):
    c = login_as("admin")
    new = SMALL_BANK.replace("tst-000", "tst-050").replace("期限为（  ）。", "本法规定的期限为（  ）。") \
        .replace("本法自公布之日起施行。", "本法自何时施行？自公布之日起施行。") \
        .replace("关于本法，下列说法正确的有（  ）。", "关于本法，正确的说法有（  ）。").replace("期限为____。", "本法的期限为____。")
    html = upload(c, new.encode(), "more.yaml").get_data(as_text=True)
    assert "将新增" in html and '<div class="fs-3">4</div>' in html
    r = c.post("/admin/questions/import/apply", data=fields(html), headers={"Accept": "application/x-ndjson"})
    lines = [json.loads(x) for x in r.get_data(as_text=True).splitlines()]
    assert lines[-1]["ok"] and "新增 4" in lines[-1]["message"]
    assert db.session.scalar(select(func.count()).select_from(Question)) == 8


def test_preview_lists_errors_naming_item_and_field(login_as, small_law):
    html = upload(login_as("admin"), SMALL_BANK.replace("answer: C", "answer: G").encode(), "bad.yaml")
    text = html.get_data(as_text=True)
    assert html.status_code == 422 and "bad.yaml tst-0001 answer" in text and "确认导入" not in text


def test_export_every_format_of_a_filtered_set(login_as, small_law):
    c = login_as("admin")
    r = c.get("/admin/questions/export?fmt=xlsx&law=test_law")
    assert r.status_code == 200 and "test_law.xlsx" in r.headers["Content-Disposition"]
    load_workbook(io.BytesIO(r.data))
    judge_only = c.get("/admin/questions/export?fmt=yaml&law=test_law&type=judge").get_data(as_text=True)
    assert "tst-0002" in judge_only and "tst-0001" not in judge_only
    aiken = c.get("/admin/questions/export?fmt=aiken&law=test_law")
    assert aiken.headers["X-Left-Out"] == "3" and "ANSWER: C" in aiken.get_data(as_text=True)
    for fmt in ("docx", "gift"):
        assert c.get(f"/admin/questions/export?fmt={fmt}&law=test_law").status_code == 200
    assert c.get("/admin/questions/export?fmt=yaml").status_code == 302   # a law must be chosen
    assert c.get("/admin/questions/export?fmt=pdf&law=test_law").status_code == 404


def test_exported_excel_imports_back_unchanged(login_as, small_law):
    c = login_as("admin")
    data = c.get("/admin/questions/export?fmt=xlsx&law=test_law").data
    html = upload(c, data, "test_law.xlsx").get_data(as_text=True)
    assert '<div class="fs-3">4</div>' in html and "无变化" in html


def test_templates(login_as, world):
    c = login_as("admin")
    assert c.get("/admin/questions/template/xlsx").status_code == 200
    assert c.get("/admin/questions/template/gift").status_code == 404
