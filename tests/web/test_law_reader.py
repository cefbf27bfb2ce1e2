from tests.conftest import LAWS_DIR


def test_reader_pages(login_as, small_law):
    c = login_as("employee")
    index = c.get("/laws/").get_data(as_text=True)
    assert "测试法" in index and "3 条" in index
    toc = c.get("/laws/test_law").get_data(as_text=True)
    assert "第一章 总则" in toc and "第 1–2 条" in toc and "2026年1月1日" in toc
    part_id = int(toc.split("/laws/test_law/parts/")[1].split('"')[0])
    chapter = c.get(f"/laws/test_law/parts/{part_id}").get_data(as_text=True)
    assert 'id="a2"' in chapter and "前款期限自收到之日起计算。" in chapter and "3 道题" in chapter
    article = c.get("/laws/test_law/articles/2").get_data(as_text=True)
    assert "第二条" in article and "引用本条的题目（3）" in article
    assert "tst-0001" not in article  # learners see no question list with keys or ids
    assert "tst-0001" in login_as("admin").get("/laws/test_law/articles/2").get_data(as_text=True)
    assert c.get("/laws/test_law/articles/99").status_code == 404
    assert c.get("/laws/nope").status_code == 404


def test_search_short_and_long_terms(login_as, small_law):
    c = login_as("employee")
    html = c.get("/laws/search?q=三十日").get_data(as_text=True)
    assert "共找到 1 条" in html and "<mark>三十日</mark>" in html
    assert "共找到 1 条" in c.get("/laws/search?q=期限").get_data(as_text=True)   # two characters: a scan
    assert "共找到 0 条" in c.get("/laws/search?q=不存在的词语").get_data(as_text=True)
    assert "共找到 0 条" in c.get("/laws/search?q=%25%27%22;--").get_data(as_text=True)  # bound, not SQL
    assert c.get("/laws/search?q=<script>alert(1)</script>").get_data(as_text=True).count("<script>alert") == 0


def test_search_across_the_civil_code(login_as, app):
    import pytest

    from examapp.services import laws
    if not LAWS_DIR.exists():
        pytest.skip("../shared/laws is not beside the repository")
    from tests.conftest import NOW
    laws.import_law("tester", "civil_code.md", (LAWS_DIR / "civil_code.md").read_bytes(), now=NOW)
    c = login_as("employee")
    html = c.get("/laws/search?q=个人信息&law=civil_code").get_data(as_text=True)
    assert "共找到 10 条" in html and "第一千零三十四条" in html
