"""Evidence packs: built for a small world, verified against the live database; then tampered with (a
direct SQL UPDATE of a score, a deleted study record, a changed certificate status, an edited file inside
the zip) and each difference named exactly."""
import io
import json
import zipfile
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from examapp.domain.audit_chain import canonical_json
from examapp.errors import NotFound, ValidationError
from examapp.extensions import db
from examapp.models import AuditEvent, Exemption, StudyRecord
from examapp.services import audit, evidence
from examapp.services.actors import cli_actor
from tests.certificate_factory import make_certificate
from tests.conftest import NOW, make_exam, paper_answers

LATER = NOW + timedelta(days=30)          # the exams have closed
YEAR = NOW.year


@pytest.fixture
def records(world, judge_exam):
    """Two takers in A, one in B (a second exam for B), a study record, a certificate with an event and an
    approved exemption."""
    from examapp.models import CertificateEvent
    mine = paper_answers(world.employee, judge_exam, judge=True, single_right=True)          # 100
    theirs = paper_answers(world.victim, judge_exam, judge=False, single_right=False)        # 0
    b_exam = make_exam([["test_law", "judge", None, 1, 100]], audience=(("unit_tree", "B"),), title="乙区考试")
    other = paper_answers(world.b_person, b_exam, judge=True, single_right=True)
    record = StudyRecord(user_id=world.employee.id, year=YEAR, kind="offline", category="required", minutes=90.0,
                         source="attendance", recorded_by="admin", recorded_at=NOW)
    db.session.add(record)
    cert = make_certificate(world.employee, "ENF-2024-0001")
    db.session.add(CertificateEvent(certificate_id=cert.id, kind="issue", on=cert.issued_on, reason="首次发证",
                                    actor="admin", data={"hours": 48}, at=datetime(2024, 1, 10, 2, 0)))
    exemption = Exemption(user_id=world.victim.id, year=YEAR, reason_kind="maternity", reason="产假",
                          status="approved", requested_by=world.unit_admin.id, requested_at=NOW,
                          decided_by=world.admin.id, decided_at=NOW)
    db.session.add(exemption)
    db.session.commit()
    return {"mine": mine, "theirs": theirs, "other": other, "b_exam": b_exam, "record": record, "cert": cert,
            "exemption": exemption}


def build(actor=None, *, year=YEAR, unit=None, exam=None, now=LATER) -> bytes:
    out = io.BytesIO()
    evidence.build_pack(actor or cli_actor(), evidence.parse_scope(year, unit, exam), now=now, out=out)
    return out.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return out.getvalue()


def named(result) -> set[tuple]:
    return {(d.file, d.problem, d.key, d.field) for d in result.tampered + result.differences}


def test_a_pack_holds_every_file_with_its_hash_and_verifies(world, records):
    data = build()
    files = members(data)
    manifest = json.loads(files["manifest.json"])
    assert manifest["scope"] == {"year": YEAR, "exam": None, "unit": None}
    assert manifest["builder"] == "system:cli"
    assert set(manifest["files"]) == set(files) - {"manifest.json"}
    for name in ("roster.csv", "attempts.jsonl", "study_records.csv", "certificates.csv", "certificate_events.csv",
                 "exemptions.csv", "audit_events.jsonl"):
        assert name in files
    sheets = {n for n in files if n.startswith("answer_sheets/")}
    assert sheets == {f"answer_sheets/employee-{records['mine'].id}.pdf",
                      f"answer_sheets/victim-{records['theirs'].id}.pdf",
                      f"answer_sheets/bperson-{records['other'].id}.pdf"}
    import hashlib
    for name, entry in manifest["files"].items():
        assert entry == {"sha256": hashlib.sha256(files[name]).hexdigest(), "bytes": len(files[name])}

    roster = files["roster.csv"].decode("utf-8-sig").splitlines()
    assert roster[0] == "工号,姓名,单位代码,单位名称,职务,在编在岗,执法岗位,账号启用"
    assert "employee,张三,A1,甲区综合股,,是,是,是" in roster
    attempts = [json.loads(line) for line in files["attempts.jsonl"].decode().splitlines()]
    assert [a["id"] for a in attempts] == sorted(a["id"] for a in attempts)
    mine = next(a for a in attempts if a["id"] == records["mine"].id)
    assert (mine["user"], mine["score"], mine["passed"], mine["status"]) == ("employee", 100.0, True, "submitted")
    assert [a["slot"] for a in mine["answers"]] == [0, 1]
    assert files["attempts.jsonl"].decode().splitlines()[0] == canonical_json(attempts[0])
    assert "ENF-2024-0001" in files["certificates.csv"].decode()
    assert "首次发证" in files["certificate_events.csv"].decode()
    assert "victim" in files["exemptions.csv"].decode()

    result = evidence.verify_pack(data, now=LATER)
    assert result.ok, [str(d) for d in result.tampered + result.differences]
    assert result.summary.startswith("一致")


def test_the_export_is_audited_but_does_not_change_the_pack(world, records):
    first = build()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.export")).all()
    assert len(events) == 1 and events[0].actor_name == "system:cli"
    assert json.loads(events[0].data_json)["scope"] == {"year": YEAR, "exam": None, "unit": None}
    second = build(now=LATER + timedelta(hours=1))
    a, b = members(first), members(second)
    same = set(a) - {"manifest.json", "audit_events.jsonl"}
    assert {n: a[n] for n in same} == {n: b[n] for n in same}
    # a later pack holds the same events (the export's own event is left out) and a later chain head
    audit_lines = a["audit_events.jsonl"].decode().splitlines()
    assert b["audit_events.jsonl"].decode().splitlines()[:-1] == audit_lines[:-1]
    assert json.loads(b["manifest.json"])["chain_head"]["seq"] == json.loads(a["manifest.json"])["chain_head"]["seq"] + 1
    assert not any('"evidence.' in line for line in audit_lines)
    actions = {json.loads(line).get("action") for line in audit_lines}
    assert "attempt.submit" in actions and "attempt.start" in actions
    head = json.loads(audit_lines[-1])["chain_head"]
    assert head == json.loads(a["manifest.json"])["chain_head"]
    # the verification of the first pack still matches: the second export and its event are not in it
    assert evidence.verify_pack(first, now=LATER).ok
    assert audit.verify().ok


def test_a_direct_sql_update_of_a_score_is_named(world, records):
    data = build()
    attempt_id = records["mine"].id
    db.session.execute(text("UPDATE attempt SET score = 35 WHERE id = :id"), {"id": attempt_id})
    db.session.commit()
    result = evidence.verify_pack(data, now=LATER)
    assert not result.ok and not result.tampered
    change = next(d for d in result.differences if d.file == "attempts.jsonl")
    assert (change.problem, change.key, change.field, change.pack, change.live) == (
        "changed", str(attempt_id), "score", "100.0", "35.0")
    assert [d for d in result.differences if d.file == "attempts.jsonl"] == [change]
    assert (f"answer_sheets/employee-{attempt_id}.pdf", "sheet_changed", "", "") in named(result)
    assert f"记录 作答编号 {attempt_id} 的「score」不同" in str(change)


def test_a_deleted_study_record_is_named(world, records):
    data = build()
    record_id = records["record"].id
    db.session.execute(text("DELETE FROM study_record WHERE id = :id"), {"id": record_id})
    db.session.commit()
    result = evidence.verify_pack(data, now=LATER)
    assert named(result) == {("study_records.csv", "removed", str(record_id), "")}
    assert "已不在数据库中" in str(result.differences[0])


def test_a_changed_certificate_status_is_named(world, records):
    data = build()
    db.session.execute(text("UPDATE certificate SET status = 'revoked' WHERE number = 'ENF-2024-0001'"))
    db.session.commit()
    result = evidence.verify_pack(data, now=LATER)
    assert named(result) == {("certificates.csv", "changed", "ENF-2024-0001", "状态")}
    d = result.differences[0]
    assert (d.pack, d.live) == ("valid", "revoked")


def test_a_new_attempt_and_a_removed_exemption_are_named(world, records, judge_exam):
    data = build()
    later = paper_answers(world.unit_admin, judge_exam, judge=True, single_right=True)
    db.session.execute(text("UPDATE exemption SET status = 'withdrawn'"))
    db.session.commit()
    found = named(evidence.verify_pack(data, now=LATER))
    assert ("attempts.jsonl", "added", str(later.id), "") in found
    assert (f"answer_sheets/unitadmin-{later.id}.pdf", "sheet_added", "", "") in found
    assert ("exemptions.csv", "removed", str(records["exemption"].id), "") in found
    # its events come after the pack's chain head: the pack is re-derived at its own chain position
    assert not any(f == "audit_events.jsonl" for f, _p, _k, _f in found)


def test_an_edited_file_inside_the_zip_is_named(world, records):
    files = members(build())
    files["roster.csv"] = files["roster.csv"].replace("张三".encode(), "赵六".encode())
    result = evidence.verify_pack(rezip(files), now=LATER)
    assert [(d.file, d.problem) for d in result.tampered] == [("roster.csv", "tampered")]
    assert named(result) == {("roster.csv", "tampered", "", ""), ("roster.csv", "changed", "employee", "姓名")}
    d = result.differences[0]
    assert (d.pack, d.live) == ("赵六", "张三")


def test_missing_and_extra_files_are_named(world, records):
    files = members(build())
    sheet = next(n for n in files if n.startswith("answer_sheets/"))
    del files[sheet]
    files["extra.txt"] = b"x"
    result = evidence.verify_pack(rezip(files), now=LATER)
    assert {(d.file, d.problem) for d in result.tampered} == {(sheet, "missing"), ("extra.txt", "unlisted")}
    assert result.differences == []        # the missing sheet's hash in the manifest still matches the database


@pytest.mark.parametrize("make, field", [
    (lambda files: b"not a zip at all", "pack.zip"),
    (lambda files: rezip({k: v for k, v in files.items() if k != "manifest.json"}), "manifest.json"),
    (lambda files: rezip({**files, "manifest.json": b"{not json"}), "manifest.json"),
    (lambda files: rezip({**files, "manifest.json": b"[]"}), "manifest.json"),
    (lambda files: rezip({**files, "manifest.json": json.dumps({**json.loads(files["manifest.json"]),
                                                                "scope": {"year": "x"}}).encode()}), "manifest.json"),
])
def test_bad_input_is_a_validation_error_naming_the_file(world, records, make, field):
    files = members(build())
    with pytest.raises(ValidationError) as e:
        evidence.verify_pack(make(files), now=LATER, filename="pack.zip")
    assert e.value.field == field


def test_an_approved_exemption_brings_its_approval_events(world, records):
    from examapp.services import approvals, exemptions
    asked = exemptions.request(world.unit_admin, exemptions.ExemptionInput("employee", YEAR, "illness", "住院治疗"),
                               None, now=NOW)
    approvals.decide(world.admin, asked.approval_id, approve=True, now=NOW + timedelta(hours=1))
    files = members(build())
    assert "住院治疗" in files["exemptions.csv"].decode()
    events = [json.loads(line) for line in files["audit_events.jsonl"].decode().splitlines()[:-1]]
    approval_events = [e for e in events if e["object_type"] == "approval"]
    assert {e["action"] for e in approval_events} == {"approval.request", "approval.approved"}
    assert {e["object_id"] for e in approval_events} == {str(asked.approval_id)}


def test_a_unit_pack_holds_only_that_subtree(world, records):
    files = members(build(unit="A"))
    assert json.loads(files["manifest.json"])["scope"]["unit"] == "A"
    roster = [line.split(",")[0] for line in files["roster.csv"].decode("utf-8-sig").splitlines()[1:]]
    assert roster == ["aauditor", "employee", "unitadmin", "victim"]
    assert not any(n.startswith("answer_sheets/bperson") for n in files)
    assert str(records["other"].id) not in {str(json.loads(line)["id"]) for line in
                                            files["attempts.jsonl"].decode().splitlines()}


def test_an_exam_pack_holds_only_that_exam(world, records):
    files = members(build(exam=records["b_exam"].id))
    attempts = [json.loads(line) for line in files["attempts.jsonl"].decode().splitlines()]
    assert [a["id"] for a in attempts] == [records["other"].id]
    assert "bperson" in files["roster.csv"].decode("utf-8-sig")
    assert "employee" not in files["roster.csv"].decode("utf-8-sig")
    with pytest.raises(ValidationError) as e:
        build(year=YEAR + 1, exam=records["b_exam"].id)
    assert e.value.field == "exam"


def test_scoped_people_pack_their_subtree_only(world, records):
    files = members(build(world.unit_admin))          # no unit named: their own subtree
    assert json.loads(files["manifest.json"])["scope"]["unit"] == "A"
    assert "bperson" not in files["roster.csv"].decode("utf-8-sig")
    with pytest.raises(NotFound):
        build(world.a_auditor, unit="B")
    whole = build()
    with pytest.raises(ValidationError) as e:          # a whole-bureau pack is beyond a subtree's auditor
        evidence.verify_pack(whole, now=LATER, actor=world.a_auditor)
    assert e.value.field == "manifest.json"
    assert evidence.verify_pack(build(world.a_auditor), now=LATER, actor=world.a_auditor).ok


def test_a_taker_cannot_pack_an_exam_that_is_still_open(world, records, judge_exam):
    from examapp.errors import PermissionDenied
    with pytest.raises(PermissionDenied):
        build(world.unit_admin, now=NOW + timedelta(hours=1))        # unitadmin is in its audience
    assert len(build(world.a_auditor, now=NOW + timedelta(hours=1))) > 0    # an auditor is not a taker


def test_the_pack_is_built_with_few_queries(app, world, records, judge_exam):
    """No query per row: twelve more takers do not add queries."""
    from sqlalchemy import event

    from tests.conftest import make_user

    def count_queries() -> int:
        seen = []
        listener = lambda *args: seen.append(1)    # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            build()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    before = count_queries()
    for i in range(12):
        paper_answers(make_user(f"extra{i}", world.a1), judge_exam, judge=True, single_right=i % 2 == 0)
    assert db.session.scalar(select(func.count()).select_from(StudyRecord)) == 1
    assert count_queries() <= before + 2


def test_damaged_packs_give_a_validation_error_or_a_named_difference(world, records):
    """Truncated or bit-flipped packs: a ValidationError or a result naming what differs, never a crash."""
    import random
    data = build()
    rng = random.Random(5)
    damaged = [data[:n] for n in (0, 10, len(data) // 2, len(data) - 30)]
    for _ in range(12):
        flipped = bytearray(data)
        for _ in range(3):
            flipped[rng.randrange(len(flipped))] ^= 0xFF
        damaged.append(bytes(flipped))
    for blob in damaged:
        try:
            result = evidence.verify_pack(blob, now=LATER)
        except ValidationError as e:
            assert e.field in ("证据包", "manifest.json")
            continue
        # a flip in a header field zipfile ignores leaves the contents intact; anything else is named
        assert result.ok or all(d.file for d in result.tampered + result.differences)
