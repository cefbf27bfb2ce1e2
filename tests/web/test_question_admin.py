from sqlalchemy import select

from examapp.extensions import db
from examapp.models import AuditEvent, Question

FORM = {"ext_id": "tst-0100", "law": "test_law", "type": "single", "difficulty": "2",
        "stem": "本法第一条规定制定本法是为了（  ）。", "options": "测试\n管理\n服务\n发展", "answer": "A",
        "articles": "第一条", "explanation": "第一条规定，为了测试，制定本法。", "tags": "第一章 总则、立法目的"}


def test_list_filters_and_search(login_as, small_law):
    c = login_as("admin")
    assert "tst-0004" in c.get("/admin/questions?law=test_law").get_data(as_text=True)
    judge = c.get("/admin/questions?law=test_law&type=judge").get_data(as_text=True)
    assert "tst-0002" in judge and "tst-0001" not in judge
    assert "tst-0003" in c.get("/admin/questions?q=说法正确").get_data(as_text=True)
    assert "tst-0001" in c.get("/admin/questions?tag=总则").get_data(as_text=True)
    assert "没有符合条件的题目" in c.get("/admin/questions?difficulty=3").get_data(as_text=True)
    assert c.get("/admin/questions?law=nope&part=abc&difficulty=x").status_code == 200


def test_create_validates_and_audits(login_as, small_law):
    c = login_as("admin")
    html = c.get("/admin/questions/new?law=test_law").get_data(as_text=True)
    assert 'value="tst-0005"' in html  # the next free id is suggested
    r = c.post("/admin/questions/new", data={**FORM, "answer": "E"})
    assert r.status_code == 400 and "答案 E 超出选项范围" in r.get_data(as_text=True)
    r = c.post("/admin/questions/new", data={**FORM, "articles": "第九条"})
    assert "《测试法》中没有：第 9 条" in r.get_data(as_text=True)
    r = c.post("/admin/questions/new", data={**FORM, "stem": "期限为（  ）。"})
    assert "与已有题目 tst-0001 题干相同" in r.get_data(as_text=True)
    r = c.post("/admin/questions/new", data=FORM)
    assert r.status_code == 302
    q = db.session.scalar(select(Question).where(Question.ext_id == "tst-0100"))
    assert q.current.answer == "A" and q.current.articles == [1] and q.current.tags == ["第一章 总则", "立法目的"]


def test_editing_makes_a_version_and_key_changes_are_audited(login_as, small_law):
    c = login_as("admin")
    q = db.session.scalar(select(Question).where(Question.ext_id == "tst-0001"))
    page = c.get(f"/admin/questions/{q.id}").get_data(as_text=True)
    assert "学员看到的样子" in page and "期限为（  ）。" in page
    r = c.post(f"/admin/questions/{q.id}", data={"ext_id": "tst-0001", "law": "test_law", "type": "single",
                                                  "difficulty": "1", "stem": "期限为（  ）。",
                                                  "options": "十日\n十五日\n三十日\n六十日", "answer": "B",
                                                  "articles": "2", "explanation": "改了答案"})
    assert r.status_code == 302
    db.session.expire_all()
    q = db.session.get(Question, q.id)
    assert q.current.version == 2 and q.current.answer == "B"
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc())) == "question.key_change"


def test_retire_restore_and_clear_review(login_as, small_law):
    c = login_as("admin")
    q = db.session.scalar(select(Question).where(Question.ext_id == "tst-0002"))
    c.post(f"/admin/questions/{q.id}/retire")
    assert db.session.get(Question, q.id).status == "retired"
    c.post(f"/admin/questions/{q.id}/restore")
    assert db.session.get(Question, q.id).status == "active"
    q.status = "review"
    db.session.commit()
    c.post(f"/admin/questions/{q.id}/clear_review")
    assert db.session.get(Question, q.id).status == "active"
    assert c.post(f"/admin/questions/{q.id}/explode").status_code == 302  # unknown action: a message, no change


def test_auditor_reads_the_bank_but_changes_nothing(login_as, small_law):
    c = login_as("auditor")
    q = db.session.scalar(select(Question).where(Question.ext_id == "tst-0001"))
    assert "只读" in c.get(f"/admin/questions/{q.id}").get_data(as_text=True)
    assert c.post(f"/admin/questions/{q.id}/retire").status_code == 403


def test_coverage_and_error_rates(login_as, world, small_law):
    c = login_as("admin")
    html = c.get("/admin/laws/test_law/coverage").get_data(as_text=True)
    assert "3 / 3 条有题目引用（100%）" in html and "cov-3" in html and "作答还不够多" in html
    from examapp.services import practice
    from examapp.services.practice import Scope
    from tests.conftest import NOW
    q = db.session.scalar(select(Question).where(Question.ext_id == "tst-0002"))
    for i in range(5):
        practice.answer(world.employee, q.id, q.current_version_id, i == 0, Scope(law="test_law"), now=NOW)
    html = c.get("/admin/laws/test_law/coverage").get_data(as_text=True)
    assert "第三条" in html and "80%" in html
