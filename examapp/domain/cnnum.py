"""Chinese numerals as written in law texts (第一千二百六十条) ↔ integers."""
DIGITS = "零一二三四五六七八九"
_DIGIT = {c: i for i, c in enumerate(DIGITS)} | {"〇": 0, "两": 2}
_UNIT = {"十": 10, "百": 100, "千": 1000}
MAX = 99_999


def from_chinese(text: str) -> int:
    """'一千二百六十' → 1260, '十五' → 15, '一百零五' → 105; ASCII digits pass through. ValueError otherwise."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text:
        raise ValueError("empty numeral")
    total, section, digit, last_unit = 0, 0, None, 10**9
    for ch in text:
        if ch in _DIGIT:
            if digit is not None and digit != 0:
                raise ValueError(f"two digits in a row in {text!r}")
            digit = _DIGIT[ch]
        elif ch == "万":
            section += digit or 0
            if section == 0:
                raise ValueError(f"bad numeral {text!r}")
            total, section, digit, last_unit = (total + section) * 10_000, 0, None, 10**9
        elif ch in _UNIT:
            unit = _UNIT[ch]
            if unit >= last_unit:
                raise ValueError(f"units out of order in {text!r}")
            if digit == 0:
                raise ValueError(f"zero before a unit in {text!r}")
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + (digit or 0)


def to_chinese(n: int) -> str:
    """1260 → '一千二百六十', 10 → '十', 105 → '一百零五' (the forms the national database uses)."""
    if not 0 < n <= MAX:
        raise ValueError(f"out of range: {n}")
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        rest = "" if low == 0 else ("零" if low < 1000 else "") + _below_10000(low, leading=False)
        return _below_10000(high, leading=True) + "万" + rest
    return _below_10000(n, leading=True)


def _below_10000(n: int, *, leading: bool) -> str:
    out, zero = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit)
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        if unit == 10 and d == 1 and not out and leading:
            out.append("十")  # 十五, not 一十五, at the start of a number
        else:
            out.append(DIGITS[d] + name)
    return "".join(out)
