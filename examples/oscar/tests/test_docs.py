"""The Oscar section of docs/storefront-developer.md stays true: its settings and URL lines are
the example project's, and its shell session prints what the page says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from oscar.core.loading import get_model
from shoprules_oscar.models import PointsAccount

OrderNote = get_model("order", "OrderNote")

EXAMPLE = Path(__file__).resolve().parents[1]
PAGE = EXAMPLE.parents[1] / "docs" / "storefront-developer.md"


def section() -> str:
    text = PAGE.read_text()
    start = text.index("## In a django-oscar shop")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def py_blocks() -> list[tuple[str, str | None]]:
    """Each ```py block of the section, with the block after it when the text between says
    'prints'."""
    text = section()
    blocks = list(re.finditer(r"```(\w*)\n(.*?)```", text, re.S))
    out = []
    for i, b in enumerate(blocks):
        if b.group(1) != "py":
            continue
        expected = None
        if i + 1 < len(blocks) and "prints" in text[b.end() : blocks[i + 1].start()]:
            expected = blocks[i + 1].group(2)
        out.append((b.group(2), expected))
    return out


def test_settings_and_urls_shown_are_the_example_projects() -> None:
    project = {
        line.strip()
        for name in ("settings.py", "urls.py")
        for line in (EXAMPLE / "shop" / name).read_text().splitlines()
    }
    shown = [code for code, expected in py_blocks() if expected is None]
    assert len(shown) == 3
    for code in shown:
        for line in code.splitlines():
            assert line.strip() in project, line


@pytest.mark.django_db
def test_shell_session_prints_what_the_page_says() -> None:
    sessions = [(code, expected) for code, expected in py_blocks() if expected is not None]
    assert len(sessions) == 1
    code, expected = sessions[0]
    namespace: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(PAGE), "exec"), namespace)
    assert out.getvalue() == expected
    # What the page says next: 250 points, and a note on the order naming the voucher's code.
    assert PointsAccount.objects.get(user=namespace["customer"]).points == 250
    code_ = namespace["issued"].voucher.code
    assert OrderNote.objects.filter(order=namespace["order"], message__contains=code_).exists()
