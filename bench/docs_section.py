"""What every benchmark writes into docs/benchmarks.md: the machine line, and its own section replaced in place
(the hand-written notes after the section's notes marker are kept)."""
import os
import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
HEADER = "# Benchmarks\n\nEach section is one run of a script in bench/, newest last.\n"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal")), 0)
    return f"{cpu} · {os.cpu_count()} cores · {kb / 1024 / 1024:.0f} GB RAM · {platform.system()} {platform.machine()}"


def notes_mark(name: str, script: str) -> str:
    return f"<!-- {name} notes: kept by bench/{script} -->"


def write_section(name: str, body: str, script: str) -> None:
    """Replace the section `## <name> …` (to the next `## `) or append it, keeping its notes block. The file is
    read right before it is written: other benchmarks write their own sections."""
    doc = DOCS.read_text("utf-8") if DOCS.exists() else HEADER
    mark = notes_mark(name, script)
    match = re.search(rf"^## {re.escape(name)}\b.*?(?=^## |\Z)", doc, flags=re.S | re.M)
    if match:
        old = match.group(0)
        notes = old[old.index(mark):].rstrip() + "\n" if mark in old else ""
        doc = doc[:match.start()] + body + ("\n" + notes if notes else "") + "\n" + doc[match.end():].lstrip("\n")
        doc = doc.rstrip("\n") + "\n"
    else:
        doc = doc.rstrip("\n") + "\n\n" + body
    DOCS.write_text(doc, "utf-8")
