"""Appending to and verifying the audit chain (DESIGN §7)."""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from ..domain.audit_chain import (
    GENESIS,
    Verification,
    canonical_json,
    chain_hash,
    row_payload,
    score_mismatch,
    scores_recorded,
    verify_rows,
)
from ..extensions import db
from ..models import Attempt, AuditEvent, AuditHead

_HEAD_KEY = "examapp_audit_head"


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session, transaction):
    if transaction.parent is None:
        session.info.pop(_HEAD_KEY, None)


def _locked_head() -> AuditHead:
    """The head row, locked for this transaction (serializes appends on PostgreSQL)."""
    session = db.session()
    head = session.info.get(_HEAD_KEY)
    if head is not None:
        return head
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    session.info[_HEAD_KEY] = head
    return head


def _next_fields(head: AuditHead, action: str, actor, now: datetime, object_type: str, object_id,
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
    fields["hash"] = chain_hash(head.hash, row_payload(**fields))
    head.seq, head.hash = fields["seq"], fields["hash"]
    return fields


def record(action: str, *, actor, now: datetime, object_type: str = "", object_id="",
           data: dict | None = None) -> AuditEvent:
    """Append one event in the caller's transaction."""
    event_row = AuditEvent(**_next_fields(_locked_head(), action, actor, now, object_type, object_id, data))
    db.session.add(event_row)
    return event_row


def record_many(action: str, *, actor, now: datetime, object_type: str,
                items: list[tuple[object, dict]]) -> None:
    """Append one event per (object_id, data), inserted in one statement (bulk imports)."""
    head = _locked_head()
    rows = [_next_fields(head, action, actor, now, object_type, object_id, data) for object_id, data in items]
    if rows:
        db.session.execute(insert(AuditEvent), rows)


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
    columns = [AuditEvent.seq, AuditEvent.at, AuditEvent.actor_id, AuditEvent.actor_name, AuditEvent.action,
               AuditEvent.object_type, AuditEvent.object_id, AuditEvent.data_json, AuditEvent.prev_hash,
               AuditEvent.hash]

    def rows():
        last = 0
        while True:  # keyset pages keep memory flat on a million events
            page = db.session.execute(
                select(*columns).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
            ).mappings().all()
            if not page:
                return
            yield from page
            last = page[-1]["seq"]

    stream = scores_recorded(rows())
    result = verify_rows(stream, expected_tail=expected)
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
