"""Fill English translations into the catalog: `python scripts/translate.py FILE.json`
where FILE.json maps Chinese msgids to English. Prints what is still untranslated."""
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "examapp/translations/en/LC_MESSAGES/messages.po"


def main() -> None:
    with PO.open(encoding="utf-8") as fh:
        catalog = read_po(fh)
    for arg in sys.argv[1:]:
        for msgid, text in json.loads(Path(arg).read_text("utf-8")).items():
            if msgid in catalog:
                catalog[msgid].string = text
                catalog[msgid].flags.discard("fuzzy")
    with PO.open("wb") as fh:
        write_po(fh, catalog, omit_header=True, no_location=True, sort_output=True)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    print(json.dumps(missing, ensure_ascii=False))


if __name__ == "__main__":
    main()
