import re

from sqlalchemy import select

from examapp.extensions import db
from examapp.models import Question, QuestionVersion


def version_of(ext_id):
    q = db.session.scalar(select(Question).where(Question.ext_id == ext_id))
    return q, db.session.get(QuestionVersion, q.current_version_id)


def test_question_page_has_no_key(login_as, small_law):
    c = login_as("employee")
    html = c.get("/practice/question?law=test_law&mode=seq").get_data(as_text=True)
    assert "期限为（  ）。" in html and "三十日" in html
    assert "正确答案" not in html and "第二条规定期限为三十日" not in html and "✓" not in html


def test_answer_shows_feedback_with_the_article(login_as, small_law):
    c = login_as("employee")
    q, v = version_of("tst-0001")
    html = c.post("/practice/answer", data={"question_id": q.id, "version_id": v.id, "r": "B", "law": "test_law",
                                            "mode": "seq"}).get_data(as_text=True)
    assert "回答错误，已记入错题本。" in html and "正确答案：</strong>C" in html
    assert "第二条规定期限为三十日。" in html and "前款期限自收到之日起计算。" in html
    notebook = c.get("/practice/notebook").get_data(as_text=True)
    assert "期限为（  ）。" in notebook and "1 / 3" not in notebook
    q4, v4 = version_of("tst-0004")
    html = c.post("/practice/answer", data={"question_id": q4.id, "version_id": v4.id, "r-0": " 30日 ",
                                            "law": "test_law"}).get_data(as_text=True)
    assert "回答正确！" in html


def test_malformed_answers_never_500(login_as, small_law):
    c = login_as("employee")
    q, v = version_of("tst-0003")
    for data in ({}, {"question_id": "x", "version_id": "1"}, {"question_id": q.id, "version_id": 99999},
                 {"question_id": q.id, "version_id": v.id, "r": ["Z", "<script>"]},
                 {"question_id": 99999, "version_id": v.id}):
        assert c.post("/practice/answer", data=data).status_code in (200, 400, 404)


def test_script_in_a_question_is_escaped(login_as, small_law):
    q, v = version_of("tst-0002")
    v.stem = "<script>alert(1)</script>本法自公布之日起施行。"
    db.session.commit()
    html = login_as("employee").get("/practice/question?law=test_law&type=judge").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_stats_page_draws_a_chart(login_as, small_law):
    c = login_as("employee")
    q, v = version_of("tst-0001")
    c.post("/practice/answer", data={"question_id": q.id, "version_id": v.id, "r": "C", "law": "test_law"})
    html = c.get("/practice/stats").get_data(as_text=True)
    assert "<svg" in html and "测试法" in html and "100%" in html


def test_mock_exam_through_the_pages(login_as, small_law):
    c = login_as("employee")
    r = c.post("/practice/mock", data={"law": "test_law", "count": "5", "minutes": "10"})
    assert "可用题目只有 4 道" in r.get_data(as_text=True)
    r = c.post("/practice/mock", data={"law": "test_law", "count": "abc", "minutes": "10"})
    assert "题量须在 5–100 之间" in r.get_data(as_text=True)
    from examapp.services import bank
    from tests.conftest import NOW
    text = "law: test_law\nquestions:\n" + "".join(
        f"  - id: tst-20{i:02d}\n    type: judge\n    difficulty: 1\n    stem: 判断{i}\n    answer: false\n"
        f"    articles: [1]\n" for i in range(3))
    assert bank.import_bank_file("t", "x.yaml", text.encode(), now=NOW).ok
    r = c.post("/practice/mock", data={"law": "test_law", "count": "5", "minutes": "10"})
    assert r.status_code == 302
    exam_url = r.headers["Location"]
    page = c.get(exam_url).get_data(as_text=True)
    assert 'id="countdown"' in page and "正确答案" not in page
    names = set(re.findall(r'name="(r\d+)"', page))
    r = c.post(exam_url, data={n: "false" for n in names})
    result = c.get(exam_url).get_data(as_text=True)
    assert "答对" in result and "模拟考试不计入任何考核统计" in result


def test_other_people_s_mock_exams_are_404(login_as, app, world, small_law):
    from examapp.services import bank, practice
    from tests.conftest import NOW
    text = "law: test_law\nquestions:\n" + "".join(
        f"  - id: tst-30{i:02d}\n    type: judge\n    difficulty: 1\n    stem: 另一判断{i}\n    answer: true\n"
        f"    articles: [1]\n" for i in range(3))
    bank.import_bank_file("t", "y.yaml", text.encode(), now=NOW)
    mock = practice.start_mock(world.employee, law="test_law", count=5, minutes=10, now=NOW)
    assert login_as("unit_admin").get(f"/practice/mock/{mock.id}").status_code == 404
