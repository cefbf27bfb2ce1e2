"""Answer keys as people type them (B; ACD; 正确/错误; one line per blank with / between synonyms) and
back. The question form and a key correction read keys the same way."""

JUDGE_WORDS = {"正确": True, "对": True, "true": True, "√": True, "错误": False, "错": False, "false": False, "×": False}
TYPED_KEYS = ("single", "multiple", "judge", "fill")


def parse_key(kind: str, text: str):
    text = (text or "").strip()
    if kind in ("single", "multiple"):
        return "".join(sorted(set(text.upper().replace(",", "").replace("，", "").replace(" ", "")))) if text else ""
    if kind == "judge":
        return JUDGE_WORDS.get(text.lower())
    if kind == "fill":
        return [[a.strip() for a in line.split("/") if a.strip()] for line in text.splitlines() if line.strip()]
    raise ValueError(kind)


def key_text(kind: str, answer) -> str:
    if kind in ("single", "multiple"):
        return str(answer or "")
    if kind == "judge":
        return "正确" if answer else "错误"
    if kind == "fill":
        return "\n".join(" / ".join(a) for a in answer or [])
    return ""


__all__ = ["JUDGE_WORDS", "TYPED_KEYS", "key_text", "parse_key"]
