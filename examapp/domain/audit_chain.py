"""The audit hash chain (DESIGN §7): hash = sha256(prev_hash || canonical_json(row without hash))."""
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256

GENESIS = "0" * 64


# One encoder for the module: `json.dumps` with keyword arguments builds a new JSONEncoder on every call.
# The settings are those `json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
# default=str)` passes to it, so the text (and every chain hash over it) is byte for byte what it was.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def canonical_json(value) -> str:
    return _ENCODER.encode(value)


# The columns of an audit event in the order `verify_tuples` reads them (the hash last).
COLUMNS = ("seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "data_json", "prev_hash",
           "hash")


def row_payload(seq: int, at: datetime, actor_id: int | None, actor_name: str, action: str,
                object_type: str, object_id: str, data_json: str, prev_hash: str) -> dict:
    return {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "data_json": data_json,
        "prev_hash": prev_hash,
    }


def chain_hash(prev_hash: str, payload: dict) -> str:
    return hashlib.sha256((prev_hash + _ENCODER.encode(payload)).encode("utf-8")).hexdigest()


_quote = json.encoder.encode_basestring     # the encoder's own string quoting (ensure_ascii=False)


def _payload_text(seq, at_iso, actor_id, actor_name, action, object_type, object_id, data_json, prev_hash) -> str:
    """canonical_json(row_payload(...)) for the usual types, written out: the keys in sorted order, strings
    quoted as the encoder quotes them, ints as it writes them. Anything else goes through the encoder."""
    if seq.__class__ is int and (actor_id is None or actor_id.__class__ is int):
        try:
            return ('{"action":' + _quote(action)
                    + ',"actor_id":' + ("null" if actor_id is None else int.__repr__(actor_id))
                    + ',"actor_name":' + _quote(actor_name) + ',"at":' + _quote(at_iso)
                    + ',"data_json":' + _quote(data_json) + ',"object_id":' + _quote(object_id)
                    + ',"object_type":' + _quote(object_type) + ',"prev_hash":' + _quote(prev_hash)
                    + ',"seq":' + int.__repr__(seq) + "}")
        except TypeError:           # a value that is not a string: the general encoder decides
            pass
    return _ENCODER.encode({"seq": seq, "at": at_iso, "actor_id": actor_id, "actor_name": actor_name,
                            "action": action, "object_type": object_type, "object_id": object_id,
                            "data_json": data_json, "prev_hash": prev_hash})


def fields_hash(seq: int, at: datetime, actor_id: int | None, actor_name: str, action: str, object_type: str,
                object_id: str, data_json: str, prev_hash: str) -> str:
    """chain_hash(prev_hash, row_payload(...)) in one call: the same text, hashed."""
    text = _payload_text(seq, at.isoformat(timespec="microseconds"), actor_id, actor_name, action, object_type,
                         object_id, data_json, prev_hash)
    return sha256((prev_hash + text).encode("utf-8")).hexdigest()


@dataclass
class Verification:
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str = ""


def verify_rows(rows: Iterable[dict], *, expected_tail: list[tuple[int, str]] = ()) -> Verification:
    """Recompute the chain over rows (dicts keyed by COLUMNS) in seq order; see verify_tuples."""
    return verify_tuples((tuple(row[k] for k in COLUMNS) for row in rows), expected_tail=expected_tail)


def verify_tuples(rows: Iterable[tuple], *, expected_tail: list[tuple[int, str]] = ()) -> Verification:
    """Recompute the chain over rows in seq order, each a tuple in COLUMNS order (as a database cursor returns it).

    `expected_tail` lists (seq, hash) pairs recorded elsewhere (the head row, checkpoints): each must
    still be in the chain with the same hash, which is what catches a truncated tail.
    """
    prev_hash, expected_seq, count = GENESIS, 1, 0
    seen_hashes: dict[int, str] = {}
    # every pair is checked: a rebuilt head row at a checkpoint's seq must not stand in for the checkpoint
    wanted: dict[int, set[str]] = {}
    for seq, digest in expected_tail:
        wanted.setdefault(seq, set()).add(digest)
    payload_text = _payload_text
    for seq, at, actor_id, actor_name, action, object_type, object_id, data_json, row_prev, row_hash in rows:
        if seq != expected_seq:
            return Verification(False, count, expected_seq - 1, prev_hash, expected_seq,
                                f"事件 {expected_seq} 缺失（下一条为 {seq}）")
        if row_prev != prev_hash:
            return Verification(False, count, seq - 1, prev_hash, seq, f"事件 {seq} 的前序哈希不符")
        text = payload_text(seq, at.isoformat(timespec="microseconds"), actor_id, actor_name, action, object_type,
                            object_id, data_json, row_prev)
        digest = sha256((prev_hash + text).encode("utf-8")).hexdigest()
        if digest != row_hash:
            return Verification(False, count, seq - 1, prev_hash, seq, f"事件 {seq} 的内容与哈希不符")
        if seq in wanted:
            seen_hashes[seq] = digest
        prev_hash, expected_seq, count = digest, seq + 1, count + 1
    for seq, digests in sorted(wanted.items()):
        if seq > count:
            return Verification(False, count, count, prev_hash, count + 1,
                                f"链尾被截断：记录到第 {seq} 条，现仅存 {count} 条")
        if seq > 0 and digests != {seen_hashes.get(seq)}:
            return Verification(False, count, count, prev_hash, seq, f"事件 {seq} 与已记录的检查点不符")
    return Verification(True, count, count, prev_hash)


# Events that record an attempt's score as it then stood; the latest of them must equal the stored score.
SCORE_ACTIONS = frozenset({"attempt.submit", "attempt.graded", "attempt.regrade"})


def scores_recorded(rows: Iterable, *, tuples: bool = False) -> Iterable:
    """Pass the rows through, remembering the last recorded score of each attempt in `.recorded`
    ({attempt id: (seq, score)}), so one pass over the chain serves both checks. Rows are dicts keyed by
    COLUMNS, or with `tuples` tuples in COLUMNS order."""
    class Tee:
        def __init__(self):
            self.recorded: dict[int, tuple[int, float | None]] = {}

        def __iter__(self):
            for row in rows:
                if tuples:
                    seq, action, object_type, object_id, data_json = row[0], row[4], row[5], row[6], row[7]
                else:
                    seq, action, object_type, object_id, data_json = (
                        row["seq"], row["action"], row["object_type"], row["object_id"], row["data_json"])
                if action in SCORE_ACTIONS and object_type == "attempt":
                    try:
                        score = json.loads(data_json).get("score")
                        self.recorded[int(object_id)] = (seq, score)
                    except (ValueError, AttributeError, TypeError):
                        pass            # a malformed row: the chain check names it
                yield row
    return Tee()


def score_mismatch(recorded: dict[int, tuple[int, float | None]], stored: Iterable[tuple[int, float | None]]
                   ) -> tuple[int, int, float | None, float | None] | None:
    """(seq, attempt id, recorded score, stored score) of the earliest audited score that the attempt no longer
    has (a score changed outside the application), or None."""
    worst = None
    for attempt_id, score in stored:
        if attempt_id not in recorded:
            continue
        seq, was = recorded[attempt_id]
        same = (was is None and score is None) or (was is not None and score is not None and abs(was - score) < 1e-6)
        if not same and (worst is None or seq < worst[0]):
            worst = (seq, attempt_id, was, score)
    return worst
