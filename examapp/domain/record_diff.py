"""Comparing two sets of keyed records (the copy in an evidence pack and the same records re-derived from
the database): which record was added, removed or changed, and in which field. No DB, no Flask."""
import re
from dataclasses import dataclass

from .audit_chain import canonical_json


@dataclass(frozen=True)
class RecordChange:
    key: str
    change: str                 # added (only in the database) | removed (only in the pack) | changed
    field: str = ""
    pack: str | None = None     # the value in the pack
    live: str | None = None     # the value in the database now


def _text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else canonical_json(value)


def flatten(record: dict, prefix: str = "") -> dict[str, str]:
    """Nested values as dotted fields, so a change names its leaf: answers[2].points."""
    out: dict[str, str] = {}
    for name, value in record.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(value, dict) and value:
            out.update(flatten(value, path))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                out.update(flatten(item, f"{path}[{i}]"))
        else:
            out[path] = _text(value)
    return out


def natural_key(key: str):
    """Numeric keys (ids, sequence numbers) in numeric order, the rest as text."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", key) if part]


def diff(pack: dict[str, dict], live: dict[str, dict]) -> list[RecordChange]:
    changes = []
    for key in sorted(set(pack) | set(live), key=natural_key):
        if key not in pack:
            changes.append(RecordChange(key, "added"))
        elif key not in live:
            changes.append(RecordChange(key, "removed"))
        else:
            old, new = flatten(pack[key]), flatten(live[key])
            for field in sorted(set(old) | set(new), key=natural_key):
                if old.get(field) != new.get(field):
                    changes.append(RecordChange(key, "changed", field, old.get(field), new.get(field)))
    return changes


__all__ = ["RecordChange", "diff", "flatten", "natural_key"]
