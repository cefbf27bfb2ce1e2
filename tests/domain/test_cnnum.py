import re
from pathlib import Path

import pytest

from examapp.domain.cnnum import from_chinese, to_chinese

LAWS = Path(__file__).resolve().parents[3] / "shared" / "laws"


@pytest.mark.parametrize("text,number", [
    ("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("二十一", 21), ("一百", 100), ("一百零一", 101),
    ("一百一十", 110), ("一百一十一", 111), ("二百", 200), ("一千", 1000), ("一千零一", 1001),
    ("一千零一十", 1010), ("一千零一十一", 1011), ("一千一百", 1100), ("一千二百六十", 1260),
    ("九千九百九十九", 9999), ("一万", 10000), ("一万零一", 10001), ("123", 123),
])
def test_known_values(text, number):
    assert from_chinese(text) == number
    if not text.isdigit():
        assert to_chinese(number) == text


def test_every_number_round_trips():
    seen = set()
    for n in range(1, 100_000):
        text = to_chinese(n)
        assert from_chinese(text) == n, (n, text)
        seen.add(text)
    assert len(seen) == 99_999


@pytest.mark.parametrize("bad", ["", "一一", "十百", "零十", "二三十", "abc", "一十百", "千千", "第一"])
def test_bad_numerals(bad):
    with pytest.raises(ValueError):
        from_chinese(bad)


def test_every_article_number_in_the_law_files():
    files = sorted(LAWS.glob("*.md"))
    if not files:
        pytest.skip("../shared/laws is not beside the repository")
    for path in files:
        numbers = [m.group(1) for m in re.finditer(r"^第([零一二三四五六七八九十百千]+)条", path.read_text("utf-8"), re.M)]
        assert [from_chinese(t) for t in numbers] == list(range(1, len(numbers) + 1)), path.name
        assert [to_chinese(i) for i in range(1, len(numbers) + 1)] == numbers, path.name
