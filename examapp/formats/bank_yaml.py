"""The YAML bank files of question_bank/ (format in its README): parse with per-item errors; export."""
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import yaml

from ..domain import qtypes

# libyaml's loader is six times faster on a whole bank; the pure-Python one is the fallback.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ID_RE = re.compile(r"^[a-z][a-z0-9]{1,9}-[0-9a-z]{1,12}$")
LAW_RE = re.compile(r"[a-z][a-z0-9_]{1,62}")
QUESTION_KEYS = ("id", "type", "difficulty", "stem", "options", "answer", "articles", "explanation", "tags",
                 "items")
ITEM_KEYS = ("type", "stem", "options", "answer", "reference", "articles", "explanation")


@dataclass
class ItemError:
    file: str
    item: str      # the question id, or "#N" (its position) when it has none
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file} {self.item} {self.field}: {self.message}" if self.field else \
            f"{self.file} {self.item}: {self.message}"


@dataclass
class BankDoc:
    filename: str
    law: str = ""
    title: str = ""
    questions: list[dict] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)


def _clean_articles(value, where: str, fail) -> list[int]:
    if not isinstance(value, list) or not value:
        fail(where, "至少引用一条法条（条号为整数）")
        return []
    if any(not isinstance(a, int) or isinstance(a, bool) or a < 1 for a in value):
        fail(where, "条号须为正整数")
        return []
    return sorted(set(value))


def _question(raw: dict, label: str, fail) -> dict:
    unknown = set(raw) - set(QUESTION_KEYS)
    if unknown:
        fail("", f"未知字段 {', '.join(sorted(map(str, unknown)))}")
    q = {k: raw.get(k) for k in QUESTION_KEYS}
    q["stem"] = str(q["stem"]).strip() if q["stem"] is not None else ""
    q["explanation"] = str(q["explanation"] or "").strip()
    q["options"] = [str(o).strip() for o in q["options"]] if isinstance(q["options"], list) else q["options"] or []
    tags = q["tags"] or []
    q["tags"] = [str(t).strip() for t in tags] if isinstance(tags, list) else [str(tags).strip()]
    q["articles"] = _clean_articles(raw.get("articles"), "articles", fail)
    if q["type"] == "fill" and isinstance(q["answer"], list):
        q["answer"] = [[str(a).strip() for a in blank] if isinstance(blank, list) else blank for blank in q["answer"]]
    if q["type"] == "case":
        items = []
        raw_items = raw.get("items")
        for i, item in enumerate(raw_items if isinstance(raw_items, list) else [], start=1):
            if not isinstance(item, dict):
                fail(f"items[{i}]", "小题格式有误")
                continue
            extra = set(item) - set(ITEM_KEYS)
            if extra:
                fail(f"items[{i}]", f"未知字段 {', '.join(sorted(map(str, extra)))}")
            clean = {k: item.get(k) for k in ITEM_KEYS if k in item}
            clean["stem"] = str(clean.get("stem") or "").strip()
            clean["explanation"] = str(clean.get("explanation") or "").strip()
            if isinstance(clean.get("options"), list):
                clean["options"] = [str(o).strip() for o in clean["options"]]
            elif "options" in clean:
                clean["options"] = clean["options"] or []
            if clean.get("type") == "fill" and isinstance(clean.get("answer"), list):
                clean["answer"] = [[str(a).strip() for a in b] if isinstance(b, list) else b for b in clean["answer"]]
            clean["articles"] = _clean_articles(item.get("articles"), f"items[{i}].articles", fail)
            items.append(clean)
        q["items"] = items
        cited = {a for item in items for a in item.get("articles", [])}
        if not cited <= set(q["articles"]):
            fail("articles", f"案例题的 articles 应包含小题引用的全部条文（缺 {sorted(cited - set(q['articles']))}）")
    else:
        q.pop("items")
    for fld, message in qtypes.validate(q):
        fail(fld, message)
    return q


Locate = Callable[[str, str], tuple[str, str]]


def _same(label: str, fld: str) -> tuple[str, str]:
    return label, fld


@dataclass
class RawQuestion:
    """A question as a codec read it, before the checks every bank format shares."""
    raw: object                  # a dict shaped like a question of the YAML files
    position: str                # where it sits, as duplicate messages name it: "第 3 题", "单选题 第 5 行"
    fallback: str = ""           # the label when it has no id (default: position)
    # (label, validator field such as "items[2].answer") → (item, field) as the file names them
    locate: Locate = _same
    # what the codec could not read, as (validator field, message): it replaces the validator's message
    cell_errors: list[tuple[str, str]] = field(default_factory=list)
    # the codec could not read the question at all: only its cell errors are reported
    unreadable: bool = False


def check_questions(doc: BankDoc, entries: Iterable[RawQuestion]) -> None:
    """Validate and append to doc: ids (well-formed, unique), each question, stems unique in the file."""
    seen: dict[str, str] = {}
    stems: dict[str, str] = {}
    for entry in entries:
        raw = entry.raw
        label = entry.fallback or entry.position
        if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"].strip():
            label = raw["id"].strip()
        given = {fld for fld, _ in entry.cell_errors}

        def report(fld, message, label=label, entry=entry):
            item, name = entry.locate(label, fld)
            doc.errors.append(ItemError(doc.filename, item, name, message))

        def fail(fld, message, report=report, given=given):
            if fld not in given:
                report(fld, message)

        for fld, message in entry.cell_errors:
            report(fld, message)
        if entry.unreadable:
            continue
        if not isinstance(raw, dict):
            fail("", "题目格式有误")
            continue
        if not ID_RE.match(label):
            fail("id", "须为稳定的题目编号，如 con-0001")
        elif label in seen:
            fail("id", f"与{seen[label]}重复")
        seen.setdefault(label, entry.position)
        q = _question(raw, label, fail)
        key = qtypes.normalize_text(q["stem"])
        if key and key in stems and q["type"] != "case":
            fail("stem", f"与 {stems[key]} 题干相同")
        stems.setdefault(key, label)
        q["id"] = label
        doc.questions.append(q)


def check_law(doc: BankDoc) -> None:
    if not LAW_RE.fullmatch(doc.law):
        doc.errors.append(ItemError(doc.filename, "文件", "law", "缺少法律代码（如 constitution）"))


def derive_id(law: str, stem: str) -> str:
    """The id of a question that came without one: the law's prefix, "-h", 9 hex digits of the stem's hash.

    The prefix is the initials of the law code's words (administrative_penalty_law → apl), or the first
    three letters of a one-word code (constitution → con). The stem is normalized first, so the same
    question gets the same id however it is spaced, and an edited stem gets a new one."""
    words = [w for w in re.split(r"[^a-z]+", law.lower()) if w]
    prefix = ("".join(w[0] for w in words) if len(words) > 1 else "".join(words)[:3])[:10]
    if len(prefix) < 2:  # ids need two letters before the dash
        prefix = (prefix + "qq")[:2]
    digest = hashlib.sha256(qtypes.normalize_text(stem).encode()).hexdigest()[:9]
    return f"{prefix}-h{digest}"


def parse_bank(filename: str, data: bytes | str) -> BankDoc:
    doc = BankDoc(filename)
    try:
        loaded = yaml.load(data, Loader=_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        doc.errors.append(ItemError(filename, where or "文件", "", "YAML 格式有误"))
        return doc
    except UnicodeDecodeError:
        doc.errors.append(ItemError(filename, "文件", "", "无法读取：请使用 UTF-8 编码的 YAML"))
        return doc
    except ValueError:  # a value YAML's constructors reject, such as the date 2020-13-45
        doc.errors.append(ItemError(filename, "文件", "", "YAML 格式有误：有无法识别的值（如不存在的日期）"))
        return doc
    if not isinstance(loaded, dict):
        doc.errors.append(ItemError(filename, "文件", "", "应为包含 law、title、questions 的 YAML 映射"))
        return doc
    doc.law = str(loaded.get("law") or "").strip()
    doc.title = str(loaded.get("title") or "").strip()
    check_law(doc)
    questions = loaded.get("questions")
    if not isinstance(questions, list) or not questions:
        doc.errors.append(ItemError(filename, "文件", "questions", "没有题目"))
        return doc
    check_questions(doc, (RawQuestion(raw, f"第 {n} 题", f"#{n}") for n, raw in enumerate(questions, start=1)))
    return doc


# -- export ---------------------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def export_bank(law: str, title: str, questions: list[dict]) -> str:
    """Deterministic YAML: exporting what was imported from it gives the same text back."""
    out = []
    for q in questions:
        item = {k: q[k] for k in QUESTION_KEYS if k in q and q[k] not in (None, [], "") or k in ("id",)}
        if q["type"] == "judge":
            item.pop("options", None)
        if q["type"] == "case":
            item.pop("answer", None)
            item["items"] = [{k: v for k, v in it.items() if v not in (None, [], "")} for it in q["items"]]
        out.append(item)
    body = {"law": law, "title": title, "questions": out}
    return yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096,
                     default_flow_style=None)


def read_text_file(doc: BankDoc, data: bytes) -> str | None:
    """The text of a text-format bank file with unified line ends, or None with the reason in doc.errors."""
    from .text import NotText, decode_text

    if not data.strip():
        doc.errors.append(ItemError(doc.filename, "文件", "", "文件为空"))
        return None
    try:
        text = decode_text(data)
    except NotText as e:
        doc.errors.append(ItemError(doc.filename, "文件", "", e.reason))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")
