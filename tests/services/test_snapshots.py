"""Closing a year freezes its report: later moves, deactivations and exemptions change the live recomputation
but not the figures reported, and the page can name the people who explain the difference. The chain
head goes to the checkpoint file at every snapshot and daily (S13)."""
import json
from datetime import datetime

import pytest
from sqlalchemy import select, update

from examapp.domain.audit_chain import chain_hash, row_payload
from examapp.errors import Conflict, PermissionDenied, ValidationError
from examapp.extensions import db
from examapp.models import AuditEvent, AuditHead, Exemption, Notification, User
from examapp.services import audit, audit_jobs, snapshots
from examapp.services import rates as rates_service
from tests.conftest import make_user

LATER = datetime(2027, 1, 5, 2, 0)


def _live(bureau, code="X"):
    return rates_service.build(bureau["admin"], 2026, unit_code=code, now=LATER)


def test_closing_a_year_freezes_its_figures_against_later_changes(bureau, runner):
    before, before_d2 = _live(bureau).as_json(), _live(bureau, "D2").as_json()
    head = audit.chain_status()
    snapshot = snapshots.close_year(bureau["admin"], 2026, now=LATER)
    assert snapshot.digest == before["digest"] and snapshot.as_of == "2026-12-31"
    assert (snapshot.audit_seq, snapshot.audit_hash) == (head.head_seq, head.head_hash)
    assert audit.last_checkpoint().seq == audit.chain_status().head_seq        # written at the snapshot

    people = bureau["people"]
    people["r1"].unit_id = bureau["units"]["D3"].id          # moved
    people["c1"].active = False                              # deactivated
    db.session.add(Exemption(user_id=people["c2"].id, year=2026, reason_kind="other", reason="补批",
                             status="approved", requested_by=bureau["admin"].id, requested_at=LATER))
    db.session.commit()

    live = _live(bureau)
    assert live.digest != before["digest"]
    view = snapshots.compare(bureau["admin"], live, now=LATER)
    assert view.report.as_json() == before and not view.same
    found = {(d.user.username, d.kind) for d in view.differences}
    assert found == {("r1", "moved"), ("c1", "left"), ("c2", "changed")}
    details = {d.user.username: d.detail for d in view.differences}
    assert details["r1"] == "由 测试局 调至 三处" and "已停用" in details["c1"] and "免考 0→1" in details["c2"]

    assert snapshots.official(bureau["admin"], 2026, "X", now=LATER).as_json() == before
    assert snapshots.official(bureau["admin"], 2026, "D2", now=LATER).as_json() == before_d2
    result = runner.invoke(args=["report", "rates", "--year", "2026", "--unit", "X"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout_bytes)["digest"] == before["digest"]


def test_a_year_is_closed_once_by_an_admin_after_it_ends(bureau):
    with pytest.raises(ValidationError):
        snapshots.close_year(bureau["admin"], 2027, now=LATER)
    db.session.rollback()
    unit_admin = make_user("ua", bureau["units"]["D1"], "unit_admin")
    with pytest.raises(PermissionDenied):
        snapshots.close_year(unit_admin, 2026, now=LATER)
    snapshots.close_year(bureau["admin"], 2026, now=LATER)
    with pytest.raises(Conflict):
        snapshots.close_year(bureau["admin"], 2026, now=LATER)


def _rebuild_chain_from(seq: int) -> None:
    """What an intruder with database access does: change an event, then recompute every hash after it."""
    session = db.session
    session.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(data_json='{"forged":true}'))
    prev = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq - 1))
    rows = session.execute(select(AuditEvent.__table__).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq))
    for row in rows.mappings().all():
        payload = row_payload(row["seq"], row["at"], row["actor_id"], row["actor_name"], row["action"],
                              row["object_type"], row["object_id"], row["data_json"], prev)
        new = chain_hash(prev, payload)
        session.execute(update(AuditEvent).where(AuditEvent.seq == row["seq"]).values(prev_hash=prev, hash=new))
        prev, last = new, row["seq"]
    session.execute(update(AuditHead).values(seq=last, hash=prev))
    session.commit()
    session.expire_all()


def test_the_daily_checkpoint_catches_a_chain_rebuilt_inside_the_database(bureau):
    """S13: the rebuilt chain is consistent in itself; only the head kept outside the database betrays it."""
    assert audit_jobs.daily_checkpoint(now=LATER) == audit.chain_status().count
    assert audit.verify().ok
    _rebuild_chain_from(2)
    result = audit.verify()
    assert not result.ok and result.first_bad_seq is not None
    assert audit_jobs.daily_checkpoint(now=LATER) == -1
    notes = db.session.scalars(select(Notification).where(Notification.title == "审计链校验失败")).all()
    admins = {u.id for u in db.session.scalars(select(User).where(User.username.in_(("boss", "boss2"))))}
    assert {n.user_id for n in notes} == admins
    checkpoints = audit.last_checkpoint()
    assert audit_jobs.daily_checkpoint(now=LATER) == -1      # a broken head never becomes a checkpoint
    assert audit.last_checkpoint() == checkpoints
