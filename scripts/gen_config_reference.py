"""Writes docs/config-reference.md from the bundled plugins' declared param schemas, so the
reference cannot drift from the code (tests/python/test_docs.py checks it is current).

    .venv/bin/python scripts/gen_config_reference.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shoprules

OUT = Path(__file__).resolve().parents[1] / "docs" / "config-reference.md"


def render() -> str:
    lines = [
        "# Config reference: the bundled plugins' rules and params",
        "",
        "Generated from the plugins' declared schemas by `scripts/gen_config_reference.py`; do not "
        "edit by hand. Set a param with `shoprules set <plugin>.<rule>.<param> <value> --config "
        "FILE`, or in the config file as `plugins.<plugin>.rules.<rule>.<param>` (SPEC section 4).",
        "",
    ]
    for plugin in shoprules.Host().plugins():
        lines += [f"## `{plugin['name']}` ({plugin['kind']})", "", plugin["description"] + ".", ""]
        for rule in plugin["rules"]:
            state = "on" if rule["enabled_by_default"] else "off"
            events = rule["events"]
            runs_on = "every event" if events == "any" else ", ".join(f"`{e}`" for e in events)
            lines += [
                f"### `{plugin['name']}.{rule['id']}`",
                "",
                f"{rule['description']}. Runs on {runs_on}; phase {rule['phase']}; "
                f"{state} by default.",
                "",
            ]
            if not rule["schema"]:
                lines += ["No params.", ""]
                continue
            lines += ["| param | type | default | allowed | meaning |", "|---|---|---|---|---|"]
            for name, s in rule["schema"].items():
                if s["type"] == "map":
                    allowed = (
                        f"names -> {s['values']} in {s['min']} .. {s['max']}, "
                        f"at most {s['max_entries']} entries"
                    )
                elif s["type"] == "day_of_year":
                    allowed = "a day of the year, `MM-DD`"
                elif "choices" in s:
                    allowed = " / ".join(s["choices"])
                elif "min" in s:
                    allowed = f"{s['min']} .. {s['max']}"
                else:
                    allowed = "any"
                default = str(s["default"]).lower() if s["type"] == "bool" else s["default"]
                if s["type"] == "map":
                    default = json.dumps(s["default"])
                lines.append(
                    f"| `{name}` | {s['type']} | `{default}` | {allowed} | {s['description']} |"
                )
            lines.append("")
    return "\n".join(lines)


def main() -> int:
    OUT.write_text(render())
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
