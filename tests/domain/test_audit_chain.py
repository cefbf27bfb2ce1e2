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
