"""Runs every sample event in examples/events through the bundled plugins and prints each
decision: what the shop should do, and why."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shoprules

HERE = Path(__file__).resolve().parent


def show(event: dict, decision: shoprules.Decision) -> None:
    print(f"\n{event['id']}  {event['type']}")
    if not decision.actions:
        print("  (no action)")
    for action in decision.actions:
        params = json.dumps(action.params, separators=(", ", ": "))
        print(f"  - {action.type} {params}")
        print(f"      why: {action.reason}  [{action.plugin}.{action.rule}]")
    for error in decision.errors:
        print(f"  ! {error['plugin']}.{error['rule']} failed: {error['message']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default=str(HERE / "configs" / "store.json"))
    parser.add_argument("events", nargs="*", help="event files (default: examples/events/*.json)")
    args = parser.parse_args()

    host = shoprules.Host(config=args.config)
    files = [Path(f) for f in args.events] or sorted((HERE / "events").glob("*.json"))
    names = ", ".join(p["name"] for p in host.plugins())
    print(f"shoprules {shoprules.__version__}: plugins {names}; config {host.config_version}")
    for path in files:
        event = json.loads(path.read_text())
        try:
            decision = host.evaluate(event)
        except shoprules.InvalidEvent as error:
            print(f"\n{path.name}: invalid event: {error}")
            continue
        show(event, decision)
    return 0


if __name__ == "__main__":
    sys.exit(main())
