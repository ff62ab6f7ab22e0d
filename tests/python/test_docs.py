"""The docs stay true to the code: their Python samples run and print what they say, the event
and action reference names every field and action type, and the config reference is current."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import shoprules

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def python_samples(page: Path) -> list[tuple[str, str | None]]:
    """Each ```python block, with the ``` block after it when the text between says 'prints'."""
    text = page.read_text()
    blocks = list(re.finditer(r"```(\w*)\n(.*?)```", text, re.S))
    out = []
    for i, b in enumerate(blocks):
        if b.group(1) != "python":
            continue
        expected = None
        if i + 1 < len(blocks) and "prints" in text[b.end() : blocks[i + 1].start()]:
            expected = blocks[i + 1].group(2)
        out.append((b.group(2), expected))
    return out


@pytest.mark.parametrize("page", ["storefront-developer.md"])
def test_python_samples_run_and_print_what_the_page_says(page: str) -> None:
    samples = python_samples(DOCS / page)
    assert samples
    namespace: dict[str, object] = {}
    for code, expected in samples:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, page, "exec"), namespace)
        if expected is not None:
            assert out.getvalue() == expected


def test_every_event_field_the_reader_knows_is_in_the_reference() -> None:
    keys = ROOT / "host" / "include" / "shoprules" / "host" / "event_keys.hpp"
    names = set(re.findall(r'"([a-z_0-9]+)"', keys.read_text()))
    assert len(names) > 30
    reference = (DOCS / "reference.md").read_text()
    missing = sorted(n for n in names if f"`{n}`" not in reference)
    assert not missing


def test_every_action_type_emitted_or_checked_is_in_the_reference(all_events) -> None:
    reference = (DOCS / "reference.md").read_text()
    checked = set(
        re.findall(r'\{"([a-z]+\.[a-z_]+)"', (ROOT / "host/src/action_check.cpp").read_text())
    )
    host = shoprules.Host({"plugins": {"returns": {"rules": {"final_sale": {"enabled": True}}}}})
    emitted = {a.type for ev in all_events for a in host.evaluate(ev).actions}
    assert len(checked) > 10 and len(emitted) > 10
    missing = sorted(t for t in checked | emitted if f"`{t}`" not in reference)
    assert not missing


def test_config_reference_is_generated_from_the_current_schemas() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import gen_config_reference
    finally:
        sys.path.pop(0)
    assert (DOCS / "config-reference.md").read_text() == gen_config_reference.render()


def test_operator_commands_in_the_docs_run(tmp_path: Path, pg) -> None:
    """Every `shoprules ...` line of the operator page, run in a folder holding the files it
    names: a store config, a proposed one and an event log; with SHOPRULES_CONFIG naming a
    fresh database of the tests' own PostgreSQL server, and the role the page grants to."""
    page = (DOCS / "operator.md").read_text()
    lines = [shlex.split(line.split(" #")[0]) for line in re.findall(r"^shoprules .*$", page, re.M)]
    pg.sql("DO $$ BEGIN CREATE ROLE storefront; EXCEPTION WHEN duplicate_object THEN END $$")
    env = {**os.environ, "SHOPRULES_CONFIG": pg.createdb(f"operator_docs_{os.getpid()}")}
    assert len(lines) >= 7
    store = (ROOT / "examples" / "configs" / "store.json").read_text()
    (tmp_path / "store.json").write_text(store)
    (tmp_path / "proposed.json").write_text(store.replace('"days": 365', '"days": 30'))
    events = [json.loads(p.read_text()) for p in sorted((ROOT / "examples/events").glob("*.json"))]
    (tmp_path / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    for words in lines:
        r = subprocess.run(
            [sys.executable, "-m", "shoprules", *words[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
        )
        assert r.returncode == 0, (words, r.stdout, r.stderr)
    assert (tmp_path / "report.html").exists()
    assert len((tmp_path / "store.json.audit.jsonl").read_text().splitlines()) == 3


def test_plugin_author_files_are_the_example_that_ci_builds() -> None:
    """Each file the quick start shows whole is the file in examples/plugin-birthday, which
    scripts/plugin-example.sh builds, tests and loads: so the page's code compiles and works."""
    page = (DOCS / "plugin-author.md").read_text()
    shown = re.findall(r"File `([^`]+)`:\n\n```\w*\n(.*?)```", page, re.S)
    example = ROOT / "examples" / "plugin-birthday"
    assert {path for path, _ in shown} == {
        str(p.relative_to(example))
        for p in example.rglob("*")
        if p.is_file() and p.suffix in {".hpp", ".cpp", ".cc", ".txt"}
    }
    for path, code in shown:
        assert code == (example / path).read_text(), path
