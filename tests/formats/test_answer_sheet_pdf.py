"""The answer sheet PDF: deterministic bytes, and the text an auditor reads (checked with pdftotext)."""
import re
import shutil
import subprocess

import pytest

from examapp.domain.answer_sheet import AnswerSheet, SheetItem, SheetQuestion
from examapp.formats import answer_sheet_pdf


def sheet(name: str = "张三", score: float | None = 60.0, **changes) -> AnswerSheet:
    questions = (
        SheetQuestion(1, 11, "单选题", "期限为（  ）。", 40.0, ("A. 十日", "B. 三十日", "C. 十五日", "D. 六十日"),
                      "A", "B", 0.0, False),
        SheetQuestion(2, 12, "判断题", "本法自公布之日起施行。", 60.0, (), "正确", "正确", 60.0, True,
                      key_corrected=True),
        SheetQuestion(3, 13, "案例题", "某单位收到申请后四十日才作出答复。<script>", 0.0, (), "", "", 0.0, False, items=(
            SheetItem(1, "单选题", "法定期限为（  ）。", ("A. 十日", "B. 十五日", "C. 三十日"), "C", "C", True),
            SheetItem(2, "主观题", "请分析该单位的做法是否合法。", (), "不合法 & 超期", "不合法。", None,
                      hand_graded=True, max_points=50.0, final_points=None))),
    )
    fields = dict(attempt_id=7, exam_id=3, exam_title="年度普法考试", username="employee", name=name, unit_code="A1",
                  unit_name="甲区综合股", number=2, makeup=True, status="submitted", started_at="2026-03-15 10:00:00",
                  submitted_at="2026-03-15 10:20:00", score=score, passed=True, pending_manual=False,
                  total_points=100.0, pass_mark=60.0, questions=questions)
    fields.update(changes)
    return AnswerSheet(**fields)


def test_the_same_sheet_always_gives_the_same_bytes():
    first = answer_sheet_pdf.render(sheet())
    other = answer_sheet_pdf.render(sheet(name="李四"))
    again = answer_sheet_pdf.render(sheet())
    assert first.startswith(b"%PDF") and first == again and first != other


def test_a_changed_score_changes_the_bytes():
    assert answer_sheet_pdf.render(sheet(score=60.0)) != answer_sheet_pdf.render(sheet(score=35.0))


def test_many_questions_flow_over_pages():
    many = tuple(SheetQuestion(i, i, "单选题", f"第 {i} 题的题干" * 8, 2.0, ("A. 甲", "B. 乙", "C. 丙"), "A", "B", 0.0,
                               False) for i in range(1, 61))
    data = answer_sheet_pdf.render(sheet(questions=many))
    pages = int(re.search(rb"/Count (\d+)", data).group(1))
    assert pages > 1 and len(re.findall(rb"/Type /Page\b(?!s)", data)) == pages


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_text_names_the_person_and_the_questions(tmp_path):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(answer_sheet_pdf.render(sheet(pending_manual=True, passed=None)))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    compact = "".join(text.split())
    for expected in ("张三", "employee", "甲区综合股", "年度普法考试", "期限为（）。", "本法自公布之日起施行。", "第2次（补考）",
                     "待阅卷", "答案已更正", "不合法&超期", "<script>", "参考答案"):
        assert expected in compact, expected
