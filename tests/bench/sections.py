"""Named sections of BENCHMARKS.md that other benchmarks than run.py write and run.py keeps.

A section is the text between `<!-- section: NAME -->` and `<!-- end: NAME -->`. Each benchmark
script that measures one capability (a config store, isolated plugins, Parquet logs) replaces
its own section and leaves the rest of the file as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "BENCHMARKS.md"
_SECTION = re.compile(r"<!-- section: (?P<name>[\w.-]+) -->\n.*?<!-- end: (?P=name) -->\n", re.S)


def _block(name: str, markdown: str) -> str:
    return f"<!-- section: {name} -->\n{markdown.strip()}\n<!-- end: {name} -->\n"


def sections(text: str) -> list[str]:
    """Every named section of a BENCHMARKS.md text, whole, in file order."""
    return [m.group(0) for m in _SECTION.finditer(text)]


def write_section(name: str, markdown: str, path: Path = BENCHMARKS) -> None:
    """Replaces section `name` of the file with `markdown` (appends it if the file has none)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = _block(name, markdown)
    pattern = re.compile(
        rf"<!-- section: {re.escape(name)} -->\n.*?<!-- end: {re.escape(name)} -->\n", re.S
    )
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)
