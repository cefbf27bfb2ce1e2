"""The audit chain: appends serialize under concurrency; tampering is found with its sequence number."""
import threading

from sqlalchemy import delete, func, select, text, update

from examapp.extensions import db
from examapp.models import AuditEvent, AuditHead, User
from examapp.services import audit, org
from tests.conftest import NOW


def seqs():
    return db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()


def test_events_chain_and_verify(world):
    for i in range(5):
        org.create_unit(world.admin, code=f"N{i}", name=f"新单位{i}", kind="department", parent_id=world.b.id, now=NOW)
    result = audit.verify()
    assert result.ok and result.count == 5 and seqs() == [1, 2, 3, 4, 5]
    head = db.session.get(AuditHead, 1)
    assert head.seq == 5 and head.hash == result.head_hash


def test_concurrent_writers_never_fork_the_chain(app, world):
    errors = []
    admin_id, parent_id = world.admin.id, world.b.id

    def worker(n):
        with app.app_context():  # each thread its own session, as each web worker has
            try:
                actor = db.session.get(User, admin_id)
                for i in range(5):
                    org.create_unit(actor, code=f"T{n}-{i}", name="并发", kind="department",
                                    parent_id=parent_id, now=NOW)
            except Exception as e:  # pragma: no cover - reported below
                errors.append(repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.commit()
    assert seqs() == list(range(1, 21))
    assert audit.verify().ok


def _tamper(sql_stmt):
    db.session.execute(sql_stmt)
    db.session.commit()


def test_changed_row_is_reported_by_the_cli(runner, world):
    for i in range(4):
        org.create_unit(world.admin, code=f"N{i}", name="x", kind="department", parent_id=world.b.id, now=NOW)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    _tamper(update(AuditEvent).where(AuditEvent.seq == 3).values(data_json='{"code":"FORGED"}'))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "seq 3" in result.output


def test_deleted_row_is_reported(runner, world):
    for i in range(4):
        org.create_unit(world.admin, code=f"N{i}", name="x", kind="department", parent_id=world.b.id, now=NOW)
    _tamper(delete(AuditEvent).where(AuditEvent.seq == 2))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "seq 2" in result.output


def test_truncated_tail_is_reported_even_with_a_rewritten_head(app, runner, world):
    for i in range(5):
        org.create_unit(world.admin, code=f"N{i}", name="x", kind="department", parent_id=world.b.id, now=NOW)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0   # writes a checkpoint at seq 5
    _tamper(delete(AuditEvent).where(AuditEvent.seq >= 4))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "seq 4" in result.output
    # the intruder also rewinds the head row: the checkpoint outside the database still knows
    third = db.session.get(AuditEvent, 3)
    _tamper(update(AuditHead).values(seq=3, hash=third.hash))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "seq 4" in result.output


def test_auditor_page_shows_the_break(login_as, world):
    org.create_unit(world.admin, code="N0", name="x", kind="department", parent_id=world.b.id, now=NOW)
    _tamper(text("UPDATE audit_event SET actor_name = 'someone' WHERE seq = 1"))
    client = login_as("auditor")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    html = client.get("/audit/verify").get_data(as_text=True)
    assert "校验失败" in html and "事件 1" in html
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before  # reading changes nothing


def test_an_event_in_a_rolled_back_savepoint_leaves_no_gap(app):
    from examapp.services.tx import begin_write
    begin_write()
    audit.record("test.one", actor="tester", now=NOW)
    savepoint = db.session.begin_nested()
    audit.record("test.two", actor="tester", now=NOW)
    savepoint.rollback()
    audit.record_many("test.three", actor="tester", now=NOW, object_type="x", items=[(1, {}), (2, {"k": "值"})])
    db.session.commit()
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all() == [
        "test.one", "test.three", "test.three"]
    assert seqs() == [1, 2, 3] and audit.verify().ok
