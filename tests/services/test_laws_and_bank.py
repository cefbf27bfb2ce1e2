"""Law versions, bank imports all or nothing, citations, key changes, flags after amendments."""
import pytest
from sqlalchemy import func, select

from examapp.extensions import db
from examapp.models import Article, AuditEvent, Law, LawVersion, Question, QuestionVersion
from examapp.services import audit, bank, laws
from tests.conftest import NOW

LAW_V1 = "测试法\n\n第一章 总则\n\n第一条 为了测试，制定本法。\n第二条 期限为三十日。\n第三条 本法自公布之日起施行。\n"
LAW_V2 = LAW_V1.replace("三十日", "十五日")
BANK = """law: test_law
title: 测试法
questions:
  - id: tst-0001
    type: single
    difficulty: 1
    stem: 期限为（  ）。
    options: [十日, 十五日, 三十日, 六十日]
    answer: C
    articles: [2]
    explanation: 第二条规定期限为三十日。
  - id: tst-0002
    type: judge
    difficulty: 1
    stem: 本法自公布之日起施行。
    answer: true
    articles: [3]
    explanation: 第三条。
"""


def import_law(text=LAW_V1, name="test_law.md"):
    return laws.import_law("tester", name, text.encode(), now=NOW)


def import_bank(text=BANK, name="test_law.yaml"):
    return bank.import_bank_file("tester", name, text.encode(), now=NOW)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_law_import_is_idempotent_and_versions_changes(app):
    first = import_law()
    assert first.status == "created" and first.articles == 3
    assert import_law().status == "unchanged"
    assert count(LawVersion) == 1
    assert import_bank().created == 2
    second = import_law(LAW_V2)
    assert second.status == "new_version" and second.version == 2 and second.changed_articles == [2]
    assert second.flagged_questions == 1
    flagged = db.session.scalar(select(Question).where(Question.ext_id == "tst-0001"))
    assert flagged.status == "review" and "第 2 版" in flagged.review_reason
    assert db.session.scalar(select(Question.status).where(Question.ext_id == "tst-0002")) == "active"
    # the old text is kept
    law = db.session.scalar(select(Law).where(Law.code == "test_law"))
    texts = db.session.scalars(select(Article.text).where(Article.number == 2).order_by(Article.version_id)).all()
    assert texts == ["期限为三十日。", "期限为十五日。"] and law.current_version.version == 2
    assert audit.verify().ok


def test_bank_needs_its_law_and_existing_articles(app):
    result = import_bank()
    assert [str(e) for e in result.errors] == ["test_law.yaml 文件 law: 法律 test_law 尚未导入（先运行 laws import）"]
    import_law()
    result = import_bank(BANK.replace("articles: [3]", "articles: [3, 9]"))
    assert [str(e) for e in result.errors] == ["test_law.yaml tst-0002 articles: 引用的条文不存在：第 9 条"]
    assert count(Question) == 0  # nothing from the file


def test_reimport_is_unchanged_and_a_key_change_makes_an_audited_version(app):
    import_law()
    import_bank()
    again = import_bank()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = import_bank(BANK.replace("answer: C", "answer: B").replace("三十日。", "十五日。"))
    assert changed.updated == 1 and changed.key_changes == ["tst-0001"]
    q = db.session.scalar(select(Question).where(Question.ext_id == "tst-0001"))
    versions = db.session.scalars(select(QuestionVersion.answer).where(QuestionVersion.question_id == q.id)
                                  .order_by(QuestionVersion.version)).all()
    assert versions == ["C", "B"] and q.current.answer == "B"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "question.key_change"))
    assert '"old":"C"' in event.data_json and '"new":"B"' in event.data_json


def test_same_stem_under_another_id_is_a_duplicate(app):
    import_law()
    import_bank()
    copy = BANK.replace("tst-0001", "tst-0009").replace("tst-0002", "tst-0010")
    result = import_bank(copy, "copy.yaml")
    assert "copy.yaml tst-0009 stem: 与已有题目 tst-0001 题干相同" in [str(e) for e in result.errors]


def test_export_then_import_then_export_is_stable(app):
    import_law()
    import_bank()
    text = bank.export_yaml("test_law")
    assert import_bank(text, "exported.yaml").unchanged == 2
    assert bank.export_yaml("test_law") == text


@pytest.mark.slow
def test_all_shared_laws_and_shipped_banks(runner, app):
    from tests.conftest import BANK_DIR, LAWS_DIR
    if not LAWS_DIR.exists():
        pytest.skip("../shared/laws is not beside the repository")
    result = runner.invoke(args=["laws", "import", str(LAWS_DIR)])
    assert result.exit_code == 0, result.output
    assert count(Law) == 14
    assert db.session.scalar(select(func.count()).select_from(Article)) == 2254
    result = runner.invoke(args=["bank", "import", str(BANK_DIR)])
    assert result.exit_code == 0, result.output
    assert count(Question) >= 1500
    check = runner.invoke(args=["bank", "check", "--laws", str(LAWS_DIR)])
    assert check.exit_code == 0 and "questions: ok" in check.output
    assert runner.invoke(args=["bank", "check"]).exit_code == 0  # against the imported laws


def test_cli_exit_codes(runner, app, tmp_path):
    bad_law = tmp_path / "broken.md"
    bad_law.write_text("标题\n第一条 甲。\n第三条 丙。\n", encoding="utf-8")
    result = runner.invoke(args=["laws", "import", str(bad_law)])
    assert result.exit_code == 1 and "broken.md 第 3 行" in result.output
    good_law = tmp_path / "test_law.md"
    good_law.write_text(LAW_V1, encoding="utf-8")
    assert runner.invoke(args=["laws", "import", str(good_law)]).exit_code == 0
    bad_bank = tmp_path / "bad.yaml"
    bad_bank.write_text(BANK.replace("answer: C", "answer: Z"), encoding="utf-8")
    good_bank = tmp_path / "good.yaml"
    good_bank.write_text(BANK, encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(bad_bank), str(good_bank)])
    assert result.exit_code == 1 and "bad.yaml tst-0001 answer" in result.output
    assert "good.yaml: test_law: 2 created" in result.output
    out = tmp_path / "export.yaml"
    assert runner.invoke(args=["bank", "export", "--law", "test_law", "-o", str(out)]).exit_code == 0
    assert "tst-0002" in out.read_text("utf-8")
    check = runner.invoke(args=["bank", "check", str(bad_bank), "--laws", str(tmp_path)])
    assert check.exit_code == 1 and "bad.yaml tst-0001 answer" in check.output


def test_bank_review_lays_questions_beside_their_articles(runner, app, tmp_path):
    from tests.conftest import BANK_DIR, LAWS_DIR
    if not LAWS_DIR.exists():
        pytest.skip("../shared/laws is not beside the repository")
    out = tmp_path / "review.md"
    result = runner.invoke(args=["bank", "review", "--law", "petition_regulations", "--laws", str(LAWS_DIR),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "## pet-0001" in text and "答案：A" in text
    assert "第一条　为了坚持和加强党对信访工作的全面领导" in text
    assert text.count("## pet-") == len(__import__("yaml").safe_load((BANK_DIR / "petition_regulations.yaml")
                                                                     .read_text("utf-8"))["questions"])
    assert runner.invoke(args=["bank", "review", "--law", "nope"]).exit_code != 0
