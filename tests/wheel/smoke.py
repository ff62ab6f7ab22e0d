"""Smoke test of an installed shoprules wheel, run by scripts/wheel-test.sh with the Python of a
fresh venv that holds the wheel and nothing else, from a folder outside the source tree:

    python -I smoke.py

Checks that the package imported is the installed one, that the public API works (the bundled
plugins load through their file checks, an event evaluates, batches, reloads, bad input is
named), that the SDK headers and CMake package are in place, that the simdjson-backed
`shoprules simulate` runs, and that `ldd` on the extension and on each bundled plugin finds
every library either inside the installed package or in the base system a manylinux wheel may
rely on: glibc, libstdc++ and libgcc.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import shoprules
import shoprules._core

SITE = Path(sysconfig.get_paths()["purelib"]).resolve()
PKG = Path(shoprules.__file__).resolve().parent

# What a manylinux wheel may take from the system: glibc's parts, the C++ runtime, the loader.
SYSTEM_LIBS = re.compile(
    r"^(linux-vdso\.so\.1|ld-linux-x86-64\.so\.2|lib(c|m|dl|rt|pthread)\.so\.6|"
    r"libstdc\+\+\.so\.6|libgcc_s\.so\.1)$"
)

EVENT = {
    "id": "evt-1",
    "type": "order.placed",
    "at": "2026-11-23T10:00:00Z",
    "customer": {"id": "c-42", "orders": 9, "lifetime_spend": 41000},
    "order": {
        "id": "o-1001",
        "currency": "USD",
        "lines": [{"sku": "SH-1", "price": 12900, "qty": 1}],
    },
}


def check(cond: bool, what: str) -> None:
    if not cond:
        sys.exit(f"smoke: FAILED: {what}")


def ldd_outside(path: Path) -> list[str]:
    """The libraries `ldd` resolves for `path` that are neither in the package nor system ones."""
    out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True).stdout
    bad = []
    for line in out.splitlines():
        line = line.strip()
        name = line.split()[0]
        if "not found" in line:
            bad.append(line)
        elif "=>" in line and not SYSTEM_LIBS.match(name):
            target = Path(line.split("=>")[1].split("(")[0].strip()).resolve()
            if not target.is_relative_to(SITE):
                bad.append(line)
        elif "=>" not in line and not SYSTEM_LIBS.match(Path(name).name):
            bad.append(line)
    return bad


def main() -> None:
    check(PKG.is_relative_to(SITE), f"shoprules imported from {PKG}, not from {SITE}")
    check(Path(shoprules._core.__file__).resolve().parent == PKG, "the extension is elsewhere")
    check(not Path("pyproject.toml").exists(), "run from a folder outside the source tree")

    # The public API: bundled plugins (loaded through their permission and ABI checks).
    host = shoprules.Host()
    names = sorted(p["name"] for p in host.plugins())
    check(names == ["delight", "loyalty", "returns"], f"bundled plugins: {names}")
    decision = host.evaluate(EVENT)
    got = [(a.type, a.params) for a in decision.actions]
    check(
        got
        == [
            ("points.award", {"points": 129}),
            ("tier.change", {"from": "member", "to": "silver"}),
            (
                "gift.send",
                {"kind": "card", "message": "Thank you for your 10th order", "value": 0},
            ),
        ],
        f"decision: {got}",
    )
    many = host.evaluate_many([EVENT, EVENT])
    check([d.to_dict() for d in many] == [decision.to_dict()] * 2, "evaluate_many differs")
    host.reload({"plugins": {"loyalty": {"rules": {"points": {"per_unit": 2}}}}})
    points = [a.params for a in host.evaluate(EVENT).actions if a.type == "points.award"]
    check(points == [{"points": 258}], f"after reload: {points}")
    try:
        host.evaluate({"id": "e", "type": "order.placed", "at": "2026-11-23T10:00:00Z"})
        check(False, "an event without a customer was accepted")
    except shoprules.InvalidEvent as e:
        check(e.path == "customer", f"InvalidEvent path {e.path!r}")

    # The SDK a plugin author builds against.
    check((Path(shoprules.include_dir()) / "shoprules" / "sdk.hpp").is_file(), "no sdk.hpp")
    check((Path(shoprules.cmake_dir()) / "shoprulesConfig.cmake").is_file(), "no CMake package")

    # simulate reads event lines with simdjson, the library the repaired wheel carries.
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "events.jsonl"
        log.write_text(json.dumps(EVENT) + "\n" + json.dumps({**EVENT, "id": "evt-2"}) + "\n")
        config = Path(tmp) / "store.json"
        config.write_text("{}")
        cli = Path(sys.executable).parent / "shoprules"
        run = subprocess.run(
            [str(cli), "simulate", str(log), "--config", str(config), "--json"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": ""},
        )
        check(run.returncode == 0, f"shoprules simulate: {run.stderr}")
        check('"points.award"' in run.stdout, f"simulate output: {run.stdout[:300]}")

    # Nothing outside the wheel but the manylinux base.
    plugins = sorted(Path(shoprules.plugin_dir()).glob("*.so"))
    check(len(plugins) == 3, f"bundled plugin files: {plugins}")
    for so in [Path(shoprules._core.__file__), *plugins]:
        outside = ldd_outside(so)
        check(not outside, f"{so.name} needs libraries outside the wheel: {outside}")
        mode = so.stat().st_mode
        check(not mode & 0o022, f"{so.name} is writable by group or others ({oct(mode)})")
    print(f"smoke: shoprules {shoprules.__version__} on Python {sys.version.split()[0]}: ok")


if __name__ == "__main__":
    main()
