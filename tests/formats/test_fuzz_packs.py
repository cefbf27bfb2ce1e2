"""Fuzzing the parsers of the files people hand back to the system: backup manifests and evidence packs.
Whatever the bytes, the answer is the parser's own error naming the file, never a crash."""
import io
import json
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examapp.errors import ValidationError
from examapp.formats import backup_file, evidence_pack

FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children,
                                                                                        max_size=4), max_leaves=20)
HEX = "a" * 64


def backup_like():
    """Manifests shaped like real ones, with any field replaced by anything."""
    good = {"format": backup_file.FORMAT, "version": backup_file.VERSION,
            "database": {"kind": "sqlite", "file": backup_file.DUMP_NAMES["sqlite"], "size": 1, "sha256": HEX},
            "audit": {"events": 1, "head_seq": 1, "head_hash": HEX}, "files": []}
    return st.builds(lambda key, value: {**good, key: value} if key else good,
                     st.sampled_from(["", *good]), JSON)


def refused_or_read(raw: bytes) -> None:
    try:
        backup_file.parse_manifest(raw)
    except backup_file.BackupFileError as e:
        assert "backup" in str(e)


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_as_a_backup_manifest_are_refused_with_its_own_error(raw):
    refused_or_read(raw)


@FUZZ
@given(backup_like())
def test_a_backup_manifest_with_any_field_wrong_is_refused_with_its_own_error(manifest):
    refused_or_read(json.dumps(manifest).encode())


def test_a_backup_manifest_whose_files_are_not_a_list_is_refused():
    refused_or_read(json.dumps({"format": backup_file.FORMAT, "version": backup_file.VERSION, "files": 5,
                                "database": {"kind": "sqlite", "file": backup_file.DUMP_NAMES["sqlite"], "size": 1,
                                             "sha256": HEX},
                                "audit": {"events": 1, "head_seq": 1, "head_hash": HEX}}).encode())


def pack_with(manifest: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(evidence_pack.MANIFEST, manifest)
    return out.getvalue()


def pack_manifest_like():
    good = {"format": evidence_pack.FORMAT, "scope": {"year": 2026, "exam": None, "unit": None},
            "chain_head": {"seq": 1, "hash": HEX}, "files": {"roster.csv": {"sha256": HEX, "bytes": 1}}}
    return st.builds(lambda key, value: {**good, key: value} if key else good, st.sampled_from(["", *good]), JSON)


def opened_or_refused(data: bytes) -> None:
    try:
        evidence_pack.read_manifest(evidence_pack.open_pack(data, "包.zip"))
    except ValidationError as e:
        assert e.field in ("包.zip", evidence_pack.MANIFEST)


@FUZZ
@given(st.binary(max_size=300) | st.binary(max_size=200).map(pack_with))
def test_any_bytes_as_an_evidence_pack_are_refused_naming_the_file(data):
    opened_or_refused(data)


@FUZZ
@given(pack_manifest_like())
def test_an_evidence_pack_manifest_with_any_field_wrong_is_refused_naming_it(manifest):
    opened_or_refused(pack_with(json.dumps(manifest).encode()))


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["工号", "id", "seq", "number"]))
def test_a_packs_csv_and_jsonl_files_always_parse_into_records(data, key):
    assert isinstance(evidence_pack.parse_csv(data, key), dict)
    assert isinstance(evidence_pack.parse_jsonl(data, key), dict)
