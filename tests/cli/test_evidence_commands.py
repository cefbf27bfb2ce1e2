"""`audit evidence-pack` and `audit verify-pack`: exit 0 and 一致 when the pack matches, exit 1 listing each
difference, a clear message for a file that is not a pack."""
import io
import json
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy import text

from examapp.extensions import db
from tests.conftest import NOW, paper_answers

LATER = NOW + timedelta(days=30)


@pytest.fixture(autouse=True)
def after_the_exams():
    with mock.patch("examapp.cli.utcnow", return_value=LATER):
        yield


@pytest.fixture
def attempt(world, judge_exam):
    return paper_answers(world.employee, judge_exam, judge=True, single_right=True)


def test_build_then_verify_then_tamper(runner, attempt, tmp_path):
    pack = tmp_path / "pack.zip"
    r = runner.invoke(args=["audit", "evidence-pack", "--year", str(NOW.year), "--unit", "A", "-o", str(pack)])
    assert r.exit_code == 0, r.output
    assert "manifest sha256" in r.output and "单位 A" in r.output
    with zipfile.ZipFile(pack) as z:
        assert json.loads(z.read("manifest.json"))["scope"] == {"year": NOW.year, "exam": None, "unit": "A"}

    r = runner.invoke(args=["audit", "verify-pack", str(pack)])
    assert r.exit_code == 0, r.output
    assert "一致：" in r.output

    db.session.execute(text("UPDATE attempt SET score = 12 WHERE id = :id"), {"id": attempt.id})
    db.session.commit()
    r = runner.invoke(args=["audit", "verify-pack", str(pack)])
    assert r.exit_code == 1
    assert f"attempts.jsonl：记录 作答编号 {attempt.id} 的「score」不同：证据包中为 '100.0'，数据库中为 '12.0'" in r.output
    assert f"answer_sheets/employee-{attempt.id}.pdf" in r.output
    assert "不一致" in r.output


def test_an_exam_pack_and_scope_errors(runner, attempt, judge_exam, tmp_path):
    pack = tmp_path / "exam.zip"
    r = runner.invoke(args=["audit", "evidence-pack", "--year", str(NOW.year), "--exam", str(judge_exam.id),
                            "-o", str(pack)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["audit", "evidence-pack", "--year", str(NOW.year + 1), "--exam", str(judge_exam.id),
                            "-o", str(tmp_path / "wrong.zip")])
    assert r.exit_code == 1 and "exam:" in r.output and not (tmp_path / "wrong.zip").exists()
    r = runner.invoke(args=["audit", "evidence-pack", "--year", str(NOW.year), "--unit", "NOPE",
                            "-o", str(tmp_path / "nope.zip")])
    assert r.exit_code == 1 and "NOPE" in r.output


def test_not_a_pack(runner, world, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"no zip here")
    r = runner.invoke(args=["audit", "verify-pack", str(junk)])
    assert r.exit_code == 1 and "junk.zip" in r.output and "zip" in r.output
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("manifest.json", "{broken")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(empty.getvalue())
    r = runner.invoke(args=["audit", "verify-pack", str(bad)])
    assert r.exit_code == 1 and "manifest.json" in r.output and "JSON" in r.output
    r = runner.invoke(args=["audit", "verify-pack", str(tmp_path / "missing.zip")])
    assert r.exit_code == 1 and "missing.zip" in r.output
