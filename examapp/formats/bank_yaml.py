"""The YAML bank files of question_bank/ (format in its README): parse with per-item errors; export."""
import re
from dataclasses import dataclass, field

import yaml

from ..domain import qtypes

# libyaml's loader is six times faster on a whole bank; the pure-Python one is the fallback.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ID_RE = re.compile(r"^[a-z][a-z0-9]{1,9}-[0-9a-z]{1,12}$")
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


def _question(raw: dict, label: str, fail) -> dict | None:
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
        for i, item in enumerate(raw.get("items") or [], start=1):
            if not isinstance(item, dict):
                fail(f"items[{i}]", "小题格式有误")
                continue
            extra = set(item) - set(ITEM_KEYS)
            if extra:
                fail(f"items[{i}]", f"未知字段 {', '.join(sorted(map(str, extra)))}")
            clean = {k: item.get(k) for k in ITEM_KEYS if k in item}
            clean["stem"] = str(clean.get("stem") or "").strip()
            clean["explanation"] = str(clean.get("explanation") or "").strip()
            if "options" in clean:
                clean["options"] = [str(o).strip() for o in clean["options"] or []]
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


def parse_bank(filename: str, data: bytes | str) -> BankDoc:
    doc = BankDoc(filename)
    try:
        loaded = yaml.load(data, Loader=_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        doc.errors.append(ItemError(filename, where or "文件", "", "YAML 格式有误"))
        return doc
    except (UnicodeDecodeError, ValueError):
        doc.errors.append(ItemError(filename, "文件", "", "无法读取：请使用 UTF-8 编码的 YAML"))
        return doc
    if not isinstance(loaded, dict):
        doc.errors.append(ItemError(filename, "文件", "", "应为包含 law、title、questions 的 YAML 映射"))
        return doc
    doc.law = str(loaded.get("law") or "").strip()
    doc.title = str(loaded.get("title") or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,62}", doc.law):
        doc.errors.append(ItemError(filename, "文件", "law", "缺少法律代码（如 constitution）"))
    questions = loaded.get("questions")
    if not isinstance(questions, list) or not questions:
        doc.errors.append(ItemError(filename, "文件", "questions", "没有题目"))
        return doc
    seen: dict[str, int] = {}
    stems: dict[str, str] = {}
    for position, raw in enumerate(questions, start=1):
        label = f"#{position}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"].strip():
            label = raw["id"].strip()

        def fail(fld, message, label=label):
            doc.errors.append(ItemError(filename, label, fld, message))

        if not isinstance(raw, dict):
            fail("", "题目格式有误")
            continue
        if not ID_RE.match(label):
            fail("id", "须为稳定的题目编号，如 con-0001")
        elif label in seen:
            fail("id", f"与第 {seen[label]} 题重复")
        seen.setdefault(label, position)
        q = _question(raw, label, fail)
        if q is None:
            continue
        key = qtypes.normalize_text(q["stem"])
        if key and key in stems and q["type"] != "case":
            fail("stem", f"与 {stems[key]} 题干相同")
        stems.setdefault(key, label)
        q["id"] = label
        doc.questions.append(q)
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
