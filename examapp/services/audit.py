"""Appending to and verifying the audit chain (DESIGN §7)."""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import bindparam, event, func, select
from sqlalchemy.orm import Session

from ..domain.audit_chain import (
    COLUMNS,
    GENESIS,
    Verification,
    canonical_json,
    fields_hash,
    score_mismatch,
    scores_recorded,
    verify_tuples,
)
from ..extensions import db
from ..models import Attempt, AuditEvent, AuditHead

_HEAD_KEY = "examapp_audit_head"
_EVENTS = AuditEvent.__table__
_HEADS = AuditHead.__table__
_INSERT_EVENT = _EVENTS.insert()
_UPDATE_HEAD = _HEADS.update().where(_HEADS.c.id == 1).values(seq=bindparam("head_seq"), hash=bindparam("head_hash"))
# PostgreSQL: one event and the new head in one statement (a data-modifying CTE), one round trip less per request
_APPEND_ONE = _UPDATE_HEAD.add_cte(_EVENTS.insert().values({c: bindparam(c) for c in COLUMNS}).cte("appended"))


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session, transaction):
    # Also at the end of a savepoint: one rolled back takes its events with it, so the head is read again
    # (the outer transaction still holds the row lock). Not after a flush's own inner transaction.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_HEAD_KEY, None)


class _Head:
    """The chain's head as this transaction has written it (seq, hash)."""
    __slots__ = ("seq", "hash")

    def __init__(self, seq: int, hash_: str):
        self.seq, self.hash = seq, hash_


def _locked_head() -> _Head:
    """The head row, locked for this transaction (serializes appends on PostgreSQL; SQLite writers hold the
    database lock already). Core statements on the session's connection: no ORM unit of work per event."""
    session = db.session()
    head = session.info.get(_HEAD_KEY)
    if head is not None:
        return head
    if session.new or session.dirty or session.deleted:
        session.flush()   # the caller's own changes go first, as the ORM's autoflush did
    conn = session.connection()
    row = conn.execute(select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.id == 1).with_for_update()).first()
    if row is None:
        conn.execute(_HEADS.insert().values(id=1, seq=0, hash=GENESIS))
        head = _Head(0, GENESIS)
    else:
        head = _Head(row.seq, row.hash)
    session.info[_HEAD_KEY] = head
    return head


def _next_fields(head: _Head, action: str, actor, now: datetime, object_type: str, object_id,
                 data: dict | None) -> dict:
    fields = {
        "seq": head.seq + 1,
        "at": now,
        "actor_id": getattr(actor, "id", None),
        "actor_name": getattr(actor, "username", None) or (actor if isinstance(actor, str) else "system"),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id or ""),
        "data_json": canonical_json(data or {}),
        "prev_hash": head.hash,
    }
    fields["hash"] = fields_hash(**fields)
    head.seq, head.hash = fields["seq"], fields["hash"]
    return fields


def _append(rows: list[dict], head: _Head) -> None:
    conn = db.session.connection()
    if len(rows) == 1 and conn.dialect.name == "postgresql":
        conn.execute(_APPEND_ONE, {**rows[0], "head_seq": head.seq, "head_hash": head.hash})
        return
    conn.execute(_INSERT_EVENT, rows if len(rows) > 1 else rows[0])
    conn.execute(_UPDATE_HEAD, {"head_seq": head.seq, "head_hash": head.hash})


def record(action: str, *, actor, now: datetime, object_type: str = "", object_id="",
           data: dict | None = None) -> None:
    """Append one event in the caller's transaction."""
    head = _locked_head()
    _append([_next_fields(head, action, actor, now, object_type, object_id, data)], head)


def record_many(action: str, *, actor, now: datetime, object_type: str,
                items: list[tuple[object, dict]]) -> None:
    """Append one event per (object_id, data), inserted in one executemany (bulk imports)."""
    if not items:
        return
    head = _locked_head()
    _append([_next_fields(head, action, actor, now, object_type, object_id, data) for object_id, data in items], head)


# -- verification -------------------------------------------------------------------------------

def _checkpoint_file() -> Path:
    """Checkpoints belong to one database: an instance folder may outlive a switch of DATABASE_URL."""
    url = db.engine.url.render_as_string(hide_password=True)
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(current_app.config["INSTANCE_PATH"]) / "audit_checkpoints" / f"{key}.jsonl"


def _checkpoints() -> list[tuple[int, str]]:
    path = _checkpoint_file()
    if not path.exists():
        return []
    points = []
    for line in path.read_text().splitlines():
        if line.strip():
            item = json.loads(line)
            points.append((int(item["seq"]), item["hash"]))
    return points


@dataclass
class CheckpointInfo:
    count: int
    seq: int
    at: str          # ISO time it was written


def last_checkpoint() -> CheckpointInfo | None:
    """How many checkpoints the file outside the database holds, and the newest one."""
    path = _checkpoint_file()
    lines = [line for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    if not lines:
        return None
    item = json.loads(lines[-1])
    return CheckpointInfo(len(lines), int(item["seq"]), item.get("at", ""))


def write_checkpoint(result: Verification, now: datetime) -> None:
    """Remember a verified head outside the database, so a truncated tail cannot hide."""
    if not result.ok or result.count == 0:
        return
    if _checkpoints()[-1:] == [(result.head_seq, result.head_hash)]:
        return
    path = _checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps({"seq": result.head_seq, "hash": result.head_hash, "at": now.isoformat()}) + "\n")


def verify(batch: int = 5000) -> Verification:
    head = db.session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    expected = list(_checkpoints())
    if head is not None:
        expected.append((head.seq, head.hash))
    columns = [_EVENTS.c[name] for name in COLUMNS]
    conn = db.session.connection()

    def rows():
        last = 0
        while True:  # keyset pages keep memory flat on a million events; tuples through Core, no ORM
            page = conn.execute(select(*columns).where(_EVENTS.c.seq > last).order_by(_EVENTS.c.seq)
                                .limit(batch)).all()
            if not page:
                return
            yield from page
            last = page[-1][0]

    stream = scores_recorded(rows(), tuples=True)
    result = verify_tuples(stream, expected_tail=expected)
    if not result.ok:
        return result
    # a graded attempt's score must still be what the chain last recorded for it (S13: an UPDATE by SQL)
    stored = db.session.execute(select(Attempt.id, Attempt.score).where(
        Attempt.status == "submitted", Attempt.pending_manual.is_(False)))
    mismatch = score_mismatch(stream.recorded, stored)
    if mismatch is None:
        return result
    seq, attempt_id, was, now_ = mismatch
    return Verification(False, result.count, result.head_seq, result.head_hash, seq,
                        f"作答 {attempt_id} 的成绩现为 {now_}，与第 {seq} 条审计事件记录的 {was} 不符")


@dataclass
class ChainStatus:
    count: int
    head_seq: int
    head_hash: str


def chain_status() -> ChainStatus:
    head = db.session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    count = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    if head is None:
        return ChainStatus(count, 0, GENESIS)
    return ChainStatus(count, head.seq, head.hash)


VERIFY_ON_PAGE_LIMIT = 200_000


def page_verification(status: ChainStatus) -> Verification | None:
    """A fresh verification for pages that show the chain, unless the chain is too long to check
    on every page view (then the page links to a full check)."""
    return verify() if status.count <= VERIFY_ON_PAGE_LIMIT else None
