import hashlib
from datetime import datetime, timedelta

from examapp.domain.audit_chain import GENESIS, chain_hash, row_payload, verify_rows


def build_chain(n: int) -> list[dict]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        fields = dict(seq=seq, at=datetime(2026, 1, 1) + timedelta(seconds=seq), actor_id=1, actor_name="admin",
                      action="user.update", object_type="user", object_id=str(seq), data_json='{"k":1}',
                      prev_hash=prev)
        digest = chain_hash(prev, row_payload(**fields))
        rows.append({**fields, "hash": digest})
        prev = digest
    return rows


def test_intact_chain_verifies():
    rows = build_chain(5)
    result = verify_rows(rows, expected_tail=[(5, rows[-1]["hash"])])
    assert result.ok and result.count == 5 and result.head_hash == rows[-1]["hash"]


def test_empty_chain_is_ok():
    assert verify_rows([]).ok


def test_changed_row_is_named():
    rows = build_chain(5)
    rows[2]["data_json"] = '{"k":2}'
    result = verify_rows(rows)
    assert not result.ok and result.first_bad_seq == 3


def test_rehashed_row_breaks_the_next_link():
    rows = build_chain(5)
    rows[2]["data_json"] = '{"k":2}'
    rows[2]["hash"] = chain_hash(rows[2]["prev_hash"], row_payload(**{k: v for k, v in rows[2].items() if k != "hash"}))
    result = verify_rows(rows)
    assert not result.ok and result.first_bad_seq == 4


def test_deleted_row_is_named():
    rows = build_chain(5)
    del rows[1]
    result = verify_rows(rows)
    assert not result.ok and result.first_bad_seq == 2


def test_truncated_tail_is_caught_by_the_recorded_head():
    rows = build_chain(5)
    head = (5, rows[-1]["hash"])
    result = verify_rows(rows[:3], expected_tail=[head])
    assert not result.ok and result.first_bad_seq == 4


def test_a_rebuilt_chain_is_caught_by_a_checkpoint_at_the_same_seq_as_the_rewritten_head():
    """The head row is rewritten along with the chain: it must not stand in for the checkpoint (S13)."""
    original = build_chain(5)
    checkpoint = (5, original[-1]["hash"])
    forged = build_chain(5)
    forged[0]["data_json"] = '{"k":9}'
    prev = GENESIS
    for row in forged:                        # every hash recomputed: the chain is consistent in itself
        row["prev_hash"] = prev
        row["hash"] = prev = chain_hash(prev, row_payload(**{k: v for k, v in row.items() if k != "hash"}))
    assert verify_rows(forged, expected_tail=[(5, forged[-1]["hash"])]).ok
    result = verify_rows(forged, expected_tail=[checkpoint, (5, forged[-1]["hash"])])
    assert not result.ok and result.first_bad_seq == 5


def test_a_score_no_longer_what_the_chain_recorded_is_named_by_its_event():
    from examapp.domain.audit_chain import score_mismatch, scores_recorded
    rows = [{"seq": 1, "action": "attempt.submit", "object_type": "attempt", "object_id": "7",
             "data_json": '{"score": 40.0}'},
            {"seq": 2, "action": "attempt.regrade", "object_type": "attempt", "object_id": "7",
             "data_json": '{"score": 60.0}'},
            {"seq": 3, "action": "attempt.submit", "object_type": "attempt", "object_id": "8",
             "data_json": '{"score": 90.0}'}]
    stream = scores_recorded(rows)
    assert list(stream) == rows
    assert stream.recorded == {7: (2, 60.0), 8: (3, 90.0)}
    assert score_mismatch(stream.recorded, [(7, 60.0), (8, 90.0), (9, 10.0)]) is None   # 9: never audited
    assert score_mismatch(stream.recorded, [(7, 100.0), (8, 95.0)]) == (2, 7, 60.0, 100.0)


# -- the canonical text is what it always was: stored chains must still verify -----------------------------

def reference_json(value) -> str:
    """canonical_json as first written (json.dumps with these arguments): the chain hashes of stored data use it."""
    import json
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def test_canonical_json_is_byte_identical_to_json_dumps():
    from datetime import date
    from decimal import Decimal

    from examapp.domain.audit_chain import canonical_json
    values = [
        {}, [], "", None, True, 0, -1, 1.5, 1e20, float("inf"), "引号\"与\\反斜杠\n换行\u2028", "\x00\x1f",
        {"b": 1, "a": [3, 2, {"z": None, "y": "乙", "x": 2.0}], "c": {"嵌套": {"键": "值"}}},
        {"at": datetime(2026, 3, 15, 2, 0, 0, 12), "day": date(2026, 1, 1), "d": Decimal("1.10"), "set": {1}},
        {"score": 87.25, "answers": {"12": ["A", "C"], "3": True}, "emoji": "😀", "surrogate": "\ud800"},
        ("tuple", 1), {2: "int keys", 1: "sorted"},
    ]
    for value in values:
        assert canonical_json(value) == reference_json(value)


def test_chain_hashes_are_those_of_existing_data():
    from examapp.domain.audit_chain import canonical_json, fields_hash, verify_tuples
    fields = dict(seq=7, at=datetime(2026, 3, 15, 2, 0, 0, 123456), actor_id=3, actor_name="管理员",
                  action="user.update", object_type="user", object_id="42",
                  data_json=canonical_json({"username": "张三", "changes": {"position": ["科员", "副科长"]}}),
                  prev_hash="a" * 64)
    expected = hashlib.sha256((fields["prev_hash"] + reference_json(row_payload(**fields))).encode()).hexdigest()
    assert chain_hash(fields["prev_hash"], row_payload(**fields)) == expected
    assert fields_hash(**fields) == expected
    # pinned: the digest this event has had since the chain was introduced
    assert expected == "3106b2f5cedac9fbe2187139eb20b9dbc8c7b10e8b2ddd7eae3a33ae2c1bc378"
    rows = build_chain(50)
    as_tuples = [tuple(r[k] for k in ("seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id",
                                      "data_json", "prev_hash", "hash")) for r in rows]
    assert verify_tuples(as_tuples, expected_tail=[(50, rows[-1]["hash"])]) == \
        verify_rows(rows, expected_tail=[(50, rows[-1]["hash"])])
    as_tuples[20] = as_tuples[20][:7] + ('{"k":2}',) + as_tuples[20][8:]
    assert verify_tuples(as_tuples).first_bad_seq == 21


def test_the_written_out_payload_text_is_the_encoders_text():
    """fields_hash writes the payload's JSON itself; for any values it must be what the encoder writes."""
    import random

    from examapp.domain.audit_chain import _payload_text, fields_hash
    rng = random.Random(5)
    alphabet = ["a", "Z", "0", " ", '"', "\\", "/", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "张", "\u2028", "😀",
                "\ud800", "{", "}", ":", ","]

    def text():
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))

    odd = [None, True, 3, 2.5, ["x"], {"k": 1}]
    for i in range(3000):
        fields = dict(seq=rng.choice([1, 2**40, i]), at=datetime(2026, 1, 1, 0, 0, 0, rng.randint(0, 999_999)),
                      actor_id=rng.choice([None, 0, 7, 2**33]), actor_name=text(), action=text(),
                      object_type=text(), object_id=text(), data_json=text(), prev_hash=text())
        if i % 10 == 0:   # values of other types take the encoder's path
            fields[rng.choice(["seq", "actor_id", "actor_name", "data_json", "object_id"])] = rng.choice(odd)
        payload = row_payload(**fields)
        assert _payload_text(*payload.values()) == reference_json(payload)
        if not any(isinstance(v, str) and "\ud800" in v for v in fields.values()):   # UTF-8 cannot hold it
            expected = hashlib.sha256((fields["prev_hash"] + reference_json(payload)).encode()).hexdigest()
            assert fields_hash(**fields) == expected
