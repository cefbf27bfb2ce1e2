import io
import re

from sqlalchemy import select

from examapp.extensions import db
from examapp.models import Question
from tests.conftest import SMALL_LAW


def upload(c, text: str, name="test_law.md"):
    return c.post("/admin/laws/preview", data={"file": (io.BytesIO(text.encode()), name)},
                  content_type="multipart/form-data")


def apply(c, html: str):
    token = re.search(r'name="token"[^>]*value="([^"]+)"', html).group(1)
    filename = re.search(r'name="filename"[^>]*value="([^"]+)"', html).group(1)
    return c.post("/admin/laws/apply", data={"token": token, "filename": filename}, follow_redirects=True)


def test_upload_a_new_law(login_as, world):
    c = login_as("admin")
    html = upload(c, SMALL_LAW).get_data(as_text=True)
    assert "新法律，将作为第 1 版导入。" in html and "3 条" in html
    page = apply(c, html).get_data(as_text=True)
    assert "已导入《测试法》第 1 版" in page and "test_law" in page


def test_amendment_preview_names_the_changes_and_flags_questions(login_as, small_law):
    c = login_as("admin")
    assert "完全相同" in upload(c, SMALL_LAW).get_data(as_text=True)
    html = upload(c, SMALL_LAW.replace("三十日", "十五日")).get_data(as_text=True)
    assert "1 条有改动：2" in html and "3 道题目将标为待复核" in html
    page = apply(c, html).get_data(as_text=True)
    assert "1 条有改动，3 道题目待复核" in page
    flagged = set(db.session.scalars(select(Question.ext_id).where(Question.status == "review")))
    assert flagged == {"tst-0001", "tst-0003", "tst-0004"}


def test_bad_upload_is_named(login_as, world):
    c = login_as("admin")
    r = upload(c, "标题\n第一条 甲。\n第三条 丙。\n", "broken.md")
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "broken.md 第 3 行: 条号不连续" in page
    r = c.post("/admin/laws/apply", data={"token": "../../etc/passwd", "filename": "x.md"}, follow_redirects=True)
    assert "已过期" in r.get_data(as_text=True)
