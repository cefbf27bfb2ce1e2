"""The hand-grading page, the key correction page and the four-eyes approval pages."""
import pytest
from sqlalchemy import select

from examapp.extensions import db
from examapp.models import Approval, Attempt
from tests.conftest import judge_version, login, make_user, paper_answers, take_case


@pytest.fixture
def admins(world):
    return world.admin, make_user("admin2", world.root, "admin", name="二号管理员")


def client_for(app, user):
    c = app.test_client()
    assert login(c, user.username).status_code == 302
    return c


def csrf(client, url):
    import re
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)


def token(client, url):
    m = csrf(client, url)
    return m.group(1) or m.group(2)


def test_two_admins_grade_a_free_answer_and_the_score_is_released(app, world, admins, case_exam):
    attempt = take_case(world.employee, case_exam, "不合法，已超过三十日期限。")
    url = f"/admin/exams/{case_exam.id}/grading"
    first = client_for(app, admins[0])
    page = first.get(url).get_data(as_text=True)
    assert "一评" in page and "已超过三十日期限" in page and world.employee.name not in page
    form = {"csrf_token": token(first, url), "attempt_id": attempt.id, "slot": 0, "item": 1, "round": 1,
            "points": "60", "comment": ""}
    r = first.post(url, data=form)
    assert r.status_code == 400 and "0 到 50" in r.get_data(as_text=True)      # over the item's points
    assert first.post(url, data=dict(form, points="40")).status_code == 302
    assert "没有需要您评分" in first.get(url).get_data(as_text=True)

    second = client_for(app, admins[1])
    r = second.post(url, data=dict(form, csrf_token=token(second, url), round=2, points="44"))
    assert r.status_code == 302
    db.session.expire_all()
    graded = db.session.get(Attempt, attempt.id)
    assert (graded.score, graded.passed, graded.pending_manual) == (92.0, True, False)

    auditor = client_for(app, world.auditor)
    page = auditor.get(url).get_data(as_text=True)
    assert "只读" in page and 'name="points"' not in page


def test_a_malformed_grade_post_is_a_message_not_a_500(app, world, admins, case_exam):
    take_case(world.employee, case_exam, "答案")
    url = f"/admin/exams/{case_exam.id}/grading"
    c = client_for(app, admins[0])
    r = c.post(url, data={"csrf_token": token(c, url), "attempt_id": "x", "slot": "0", "item": "1", "round": "1",
                          "points": "3"})
    assert r.status_code in (302, 400)
    assert c.post(url, data={"csrf_token": token(c, url), "points": "abc"}).status_code == 400


def test_a_key_correction_is_previewed_requested_and_applied_only_by_another_admin(app, world, admins, judge_exam):
    low = paper_answers(world.employee, judge_exam, judge=False, single_right=True)       # 40 now, 100 after
    version = judge_version(judge_exam)
    url = f"/admin/exams/{judge_exam.id}/regrade"
    first = client_for(app, admins[0])
    page = first.get(url).get_data(as_text=True)
    assert "本法自公布之日起施行" in page and "正确" in page

    form = {"csrf_token": token(first, url), "version_id": version.id, "answer": "错误", "reason": "应为错误"}
    page = first.post(url, data=dict(form, preview="1")).get_data(as_text=True)
    assert "试算结果" in page and "张三" in page and "不合格 → " in page
    assert db.session.scalar(select(Approval.id)) is None

    r = first.post(url, data=dict(form, submit="1"))
    assert r.status_code == 302
    approval_url = r.headers["Location"]
    page = first.get(approval_url).get_data(as_text=True)
    assert "须由另一位管理员审批" in page and 'name="approve"' not in page
    r = first.post(approval_url, data={"csrf_token": token(first, approval_url), "approve": "1"})
    assert r.status_code == 400
    db.session.expire_all()
    assert db.session.get(Attempt, low.id).score == 40.0

    second = client_for(app, admins[1])
    r = second.post(approval_url, data={"csrf_token": token(second, approval_url), "reject": "1", "note": ""})
    assert r.status_code == 400 and "驳回时请填写理由" in r.get_data(as_text=True)
    r = second.post(approval_url, data={"csrf_token": token(second, approval_url), "approve": "1", "note": "同意"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, low.id).score == 100.0
    assert "已批准" in second.get("/admin/approvals?status=all").get_data(as_text=True)
    assert client_for(app, world.auditor).get(approval_url).status_code == 200


def test_an_unknown_approval_is_404(app, world, admins):
    assert client_for(app, admins[0]).get("/admin/approvals/999").status_code == 404


def test_the_admin_home_lists_what_waits_for_them(app, world, admins, case_exam, judge_exam):
    from examapp.services import regrade
    take_case(world.employee, case_exam, "不合法")
    paper_answers(world.victim, judge_exam, judge=True, single_right=True)
    regrade.request_regrade(admins[0], judge_exam.id, version_id=judge_version(judge_exam).id, key_input="错误",
                            reason="核对条文", now=judge_exam.opens_at)
    page = client_for(app, admins[1]).get("/").get_data(as_text=True)
    assert "人工阅卷：年度普法考试" in page and "1 份答卷" in page
    assert 'id="todo-approvals">1<' in page
    own = client_for(app, admins[0]).get("/").get_data(as_text=True)
    assert 'id="todo-approvals">0<' in own           # one's own request waits for someone else


def test_results_hold_back_a_score_until_its_hand_grading_is_done(app, world, admins, case_exam):
    take_case(world.employee, case_exam, "不合法")
    page = client_for(app, admins[0]).get(f"/admin/exams/{case_exam.id}/results").get_data(as_text=True)
    assert "1 人有答卷待人工阅卷" in page and "待阅卷" in page
    from examapp.services import exam_results
    r = exam_results.results(case_exam)
    person = next(p for p in r.people if p.user.username == "employee")
    assert (person.status, person.score, person.passed, person.grading) == ("submitted", None, False, True)
    assert r.sat == 1 and r.passed == 0


def test_my_exams_shows_a_score_only_when_the_policy_allows_and_grading_is_done(app, world, case_exam, judge_exam):
    from examapp.extensions import db as _db
    paper_answers(world.employee, judge_exam, judge=True, single_right=True)
    take_case(world.employee, case_exam, "不合法")
    c = client_for(app, world.employee)
    page = c.get("/exams/").get_data(as_text=True)
    assert "计分成绩：100" in page and "主观题阅卷中" in page
    judge_exam.results_visibility = "never"
    _db.session.commit()
    page = c.get("/exams/").get_data(as_text=True)
    assert "计分成绩" not in page


def test_a_subtree_auditor_reads_the_results_of_their_own_people_only(app, world, judge_exam):
    """S1: the results page is scoped like the API: the auditor of A sees A's people, not B's."""
    from tests.conftest import make_exam
    paper_answers(world.employee, judge_exam, judge=True, single_right=True)
    page = client_for(app, world.a_auditor).get(f"/admin/exams/{judge_exam.id}/results").get_data(as_text=True)
    assert "张三" in page
    b_exam = make_exam([["test_law", "judge", None, 1, 100]], audience=(("unit_tree", "B"),), title="乙区测验")
    assert client_for(app, world.a_auditor).get(f"/admin/exams/{b_exam.id}/results").status_code == 404
    assert "王五" in client_for(app, world.auditor).get(f"/admin/exams/{b_exam.id}/results").get_data(as_text=True)
