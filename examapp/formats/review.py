"""A law's bank laid out for a reviewer: each question, its key, and the full text of what it cites."""
from .bank_yaml import BankDoc
from .lawtext import LawDoc

LETTERS = "ABCDEFGH"


def _key(q: dict) -> str:
    kind = q["type"]
    if kind in ("single", "multiple"):
        return str(q.get("answer"))
    if kind == "judge":
        return "正确" if q.get("answer") is True else "错误"
    if kind == "fill":
        return "；".join(" / ".join(blank) for blank in q.get("answer") or [])
    if kind == "text":
        return f"（参考答案）{q.get('reference', '')}"
    return ""


def _question_lines(q: dict, indent: str = "") -> list[str]:
    lines = [f"{indent}题干：{q['stem']}"]
    lines += [f"{indent}  {LETTERS[i]}. {option}" for i, option in enumerate(q.get("options") or [])]
    if q["type"] != "case":
        lines.append(f"{indent}答案：{_key(q)}")
    if q.get("explanation"):
        lines.append(f"{indent}解析：{q['explanation']}")
    return lines


def review_text(law: LawDoc, bank: BankDoc) -> str:
    articles = {a.number: a for a in law.articles}
    out = [f"# {law.title}：{len(bank.questions)} 道题（{bank.filename}）", ""]
    for q in bank.questions:
        out.append(f"## {q['id']} · {q['type']} · 难度 {q['difficulty']} · 依据 {q['articles']}")
        out += _question_lines(q)
        for i, item in enumerate(q.get("items") or [], start=1):
            out.append(f"  小题 {i}（{item['type']}，依据 {item.get('articles', [])}）")
            out += _question_lines(item, "    ")
        out.append("依据条文：")
        for number in q["articles"]:
            article = articles.get(number)
            if article is None:
                out.append(f"  【第 {number} 条不存在】")
                continue
            out.append(f"  {article.label}　" + "\n  ".join(article.paragraphs))
        out.append("")
    return "\n".join(out)
