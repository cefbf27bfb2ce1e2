"""The shipped question banks: valid, citing real articles, with the counts, mix and coverage required."""
from collections import Counter

import pytest
import yaml

from examapp.domain import qtypes
from examapp.formats.bank_yaml import parse_bank
from examapp.formats.lawtext import parse_law
from tests.conftest import BANK_DIR, LAWS_DIR

MINIMUM = {"constitution": 250, "civil_code": 450, "national_security_law": 150, "petition_regulations": 100,
           "administrative_penalty_law": 150, "administrative_licensing_law": 80,
           "administrative_compulsion_law": 60, "radio_regulations": 60, "business_environment_regulations": 60}
SME = ("sme_promotion_law", "sme_payment_regulations_2020")
COVERAGE = ("constitution", "national_security_law", "petition_regulations")


@pytest.fixture(scope="module")
def banks():
    docs = {}
    for path in sorted(BANK_DIR.glob("*.yaml")):
        doc = parse_bank(path.name, path.read_bytes())
        assert doc.errors == [], [str(e) for e in doc.errors[:10]]
        assert path.stem == doc.law
        docs[doc.law] = doc
    return docs


def test_ids_are_unique_across_banks(banks):
    ids = Counter(q["id"] for doc in banks.values() for q in doc.questions)
    assert [i for i, n in ids.items() if n > 1] == []


@pytest.mark.skipif(not LAWS_DIR.exists(), reason="../shared/laws is not beside the repository")
def test_every_citation_exists_and_coverage(banks):
    for law, doc in banks.items():
        numbers = {a.number for a in parse_law(f"{law}.md", (LAWS_DIR / f"{law}.md").read_bytes()).articles}
        cited = {a for q in doc.questions for a in q["articles"]} | {
            a for q in doc.questions for item in q.get("items") or [] for a in item.get("articles", [])}
        assert cited <= numbers, (law, sorted(cited - numbers))
        if law in COVERAGE:
            assert len(cited) >= 0.6 * len(numbers), law


def test_counts_per_law(banks):
    for law, minimum in MINIMUM.items():
        assert len(banks[law].questions) >= minimum, law
    assert sum(len(banks[law].questions) for law in SME) >= 80
    assert sum(len(doc.questions) for doc in banks.values()) >= 1500


def test_mix(banks):
    total = Counter()
    for law, doc in banks.items():
        kinds = Counter(q["type"] for q in doc.questions)
        total.update(kinds)
        for kind in ("single", "multiple", "judge"):
            assert kinds[kind] >= 0.15 * len(doc.questions), (law, kind)
    n = sum(total.values())
    assert total["fill"] >= 0.05 * n
    cases = [q for doc in banks.values() for q in doc.questions if q["type"] == "case"]
    assert len(cases) >= 30 and all(len(q["items"]) >= 2 for q in cases)
    difficulty = Counter(q["difficulty"] for doc in banks.values() for q in doc.questions)
    assert 0.30 <= difficulty[1] / n <= 0.50 and 0.30 <= difficulty[2] / n <= 0.50 and 0.12 <= difficulty[3] / n <= 0.28


def test_options_unique_and_answers_valid(banks):
    for doc in banks.values():
        for q in doc.questions:
            for item in [q, *(q.get("items") or [])]:
                options = item.get("options") or []
                assert len(set(options)) == len(options), q["id"]
                if item["type"] in qtypes.TYPES and item["type"] != "case":
                    assert qtypes.TYPES[item["type"]].validate(item) == [], q["id"]
            assert qtypes.validate(q) == [], q["id"]


def test_no_all_of_the_above(banks):
    banned = ("以上都是", "以上都对", "以上都不对", "以上均是", "以上均不", "以上皆是")
    for doc in banks.values():
        for q in doc.questions:
            for item in [q, *(q.get("items") or [])]:
                assert not any(b in str(o) for o in item.get("options") or [] for b in banned), q["id"]


def test_files_are_plain_yaml(banks):
    for path in BANK_DIR.glob("*.yaml"):
        assert isinstance(yaml.safe_load(path.read_text("utf-8")), dict)
