"""The 试题分析 section of an exam's results, and exam error rates on a law's coverage page."""
import re

import pytest

from examapp.web.admin import exams as exam_views
from tests.services.test_item_analysis import build_exam


@pytest.fixture
def exam(world, small_law):
    return build_exam(world, small_law)


def item_rows(html: str) -> list[str]:
    table = html.split('id="item-table"')[1].split("</table>")[0]
    return re.findall(r"<tr[ >].*?</tr>", table.split("<tbody>")[1], re.S)


def test_results_page_shows_the_item_analysis(login_as, exam):
    html = login_as("admin").get(f"/admin/exams/{exam.id}/results").get_data(as_text=True)
    section = html.split('id="item-analysis"')[1]
    assert "试题分析" in section and "12 人，4 道题，其中 2 道需要关注" in section
    rows = item_rows(html)
    assert [re.search(r"tst-\d{4}", r).group(0) for r in rows] == ["tst-0001", "tst-0002", "tst-0003", "tst-0004"]
    single, judge, multiple, _fill = rows
    assert "table-warning" in single and "干扰项无人选" in single and "0.33" in single and "1.00" in single
    assert "C 4 ✓" in single and "D 0" in single and "未答 1" in single and 'title="三十日"' in single
    assert "区分度为负：可能答案有误" in judge and "-0.67" in judge and "对 4 ✓" in judge and "错 7" in judge
    assert "table-warning" not in multiple and "0.42" in multiple and "C 3" in multiple
    assert "各难度区间的题数" in section and "<svg" in section
    articles = section.split('id="article-error-table"')[1].split("</table>")[0]
    assert articles.index("第三条") < articles.index("第一条") < articles.index("第二条")
    assert "59%" in articles and ">22<" in articles and "测试法" in articles


def test_auditors_read_it_and_few_takers_get_no_discrimination(login_as, world, small_law):
    from tests.conftest import make_exam
    from tests.services.test_item_analysis import PLAN, sit
    exam = make_exam([["test_law", "single", None, 1, 100]], shuffle_options=True)
    sit(world.employee, exam, PLAN["t01"], seed=1)
    html = login_as("auditor").get(f"/admin/exams/{exam.id}/results").get_data(as_text=True)
    row = item_rows(html)[0]
    assert "1.00" in row and "作答不足 10 人" in row and "太易" in row
    assert "作答不足 10 人的题不计算区分度" in html


def test_an_exam_without_takers_says_so(login_as, world, small_law):
    from tests.conftest import make_exam
    exam = make_exam([["test_law", "single", None, 1, 100]])
    html = login_as("admin").get(f"/admin/exams/{exam.id}/results").get_data(as_text=True)
    assert "还没有已交卷的作答，暂无试题分析" in html


def test_long_lists_are_cut_with_a_link_to_all(login_as, exam, monkeypatch):
    monkeypatch.setattr(exam_views, "ITEM_LIMIT", 2)
    c = login_as("admin")
    html = c.get(f"/admin/exams/{exam.id}/results").get_data(as_text=True)
    assert len(item_rows(html)) == 2 and "显示全部 4 道题" in html and "显示全部 3 条" in html
    assert f"/admin/exams/{exam.id}/results?items=all#item-analysis" in html
    html = c.get(f"/admin/exams/{exam.id}/results?items=all").get_data(as_text=True)
    assert len(item_rows(html)) == 4 and "显示全部 4 道题" not in html
    assert "articles=all&amp;items=all" in html or "items=all&amp;articles=all" in html


def test_coverage_page_shows_exam_error_rates_beside_practice(login_as, exam):
    html = login_as("admin").get("/admin/laws/test_law/coverage").get_data(as_text=True)
    table = html.split('id="article-errors"')[1].split("</table>")[0]
    assert "考试作答" in table and "考试错误率" in table and "练习错误率" in table
    row = re.search(r"<tr><td><a[^>]*>第三条</a></td>(.*?)</tr>", table, re.S).group(1)
    cells = re.findall(r'<td class="text-end">(.*?)</td>', row)
    assert cells == ["0", "—", "22", "59%", "59%"]
