"""What a taker is shown of a question version (never its key), kept per application process.

A version is never changed once written (an edit makes a new one), and every start, paper page, paper JSON and
save of an exam reads the same few dozen versions; reading them once per process instead of once per request
takes the JSON columns of 50 questions off each of those requests. After a `restore`, restart the servers.
"""
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import QuestionVersion

LIMIT = 20_000          # versions per process: a whole bureau's bank; the oldest are dropped beyond it


@dataclass(frozen=True)
class ShownVersion:
    id: int
    question_id: int
    type: str
    stem: str
    options: tuple            # in stored order; the attempt's slot holds the shown order
    items: tuple              # case sub-questions: type, stem, options only

    @property
    def option_count(self) -> int:
        return len(self.options) if self.type in ("single", "multiple") else 0


class _Cache:
    def __init__(self):
        self.rows: OrderedDict[int, ShownVersion] = OrderedDict()
        self.lock = Lock()


def _cache() -> _Cache:
    # Per application, not per module: each test app has its own database whose ids repeat.
    return current_app.extensions.setdefault("examapp.paper_views", _Cache())


def _shown_items(row) -> tuple:
    if row.type != "case":
        return ()
    return tuple({"type": i["type"], "stem": i["stem"], "options": i.get("options", [])} for i in row.items or ())


def shown_versions(ids) -> dict[int, ShownVersion]:
    cache, wanted = _cache(), list(dict.fromkeys(ids))
    with cache.lock:
        found = {i: cache.rows[i] for i in wanted if i in cache.rows}
    missing = [i for i in wanted if i not in found]
    if missing:
        rows = db.session.execute(select(
            QuestionVersion.id, QuestionVersion.question_id, QuestionVersion.type, QuestionVersion.stem,
            QuestionVersion.options, QuestionVersion.items).where(QuestionVersion.id.in_(missing))).all()
        loaded = {r.id: ShownVersion(r.id, r.question_id, r.type, r.stem, tuple(r.options or ()), _shown_items(r))
                  for r in rows}
        with cache.lock:
            cache.rows.update(loaded)
            while len(cache.rows) > LIMIT:
                cache.rows.popitem(last=False)
        found.update(loaded)
    return found
