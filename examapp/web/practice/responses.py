"""Reading a learner's answer from a submitted form, per question type."""
from collections.abc import Callable

from werkzeug.datastructures import MultiDict

from ...domain import qtypes

MAX_TEXT = 5000


def _single(form: MultiDict, name: str, q: dict):
    value = form.get(name, "")
    return value if value in qtypes.letters_for(q.get("options") or []) else None


def _multiple(form: MultiDict, name: str, q: dict):
    valid = qtypes.letters_for(q.get("options") or [])
    letters = sorted({v for v in form.getlist(name) if v in valid})
    return "".join(letters) or None


def _judge(form: MultiDict, name: str, q: dict):
    return {"true": True, "false": False}.get(form.get(name, ""))


def _fill(form: MultiDict, name: str, q: dict):
    return [form.get(f"{name}-{i}", "")[:200] for i in range(qtypes.blank_count(q.get("stem", "")))]


def _text(form: MultiDict, name: str, q: dict):
    return form.get(name, "")[:MAX_TEXT]


def _case(form: MultiDict, name: str, q: dict):
    return [READERS[item["type"]](form, f"{name}-{i}", item) for i, item in enumerate(q.get("items") or [])]


READERS: dict[str, Callable] = {"single": _single, "multiple": _multiple, "judge": _judge, "fill": _fill,
                                "text": _text, "case": _case}


def read_response(form: MultiDict, name: str, q: dict):
    return READERS[q["type"]](form, name, q)
