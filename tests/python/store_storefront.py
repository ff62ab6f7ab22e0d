"""A storefront process for the store tests: a Host on a store URL, evaluating one event from
two threads until stdin closes. Prints JSON lines: {"ready": ...}, {"loaded": N, "t": time} for
each version it takes, {"reconnected": time}, and at the end a summary (evaluations, failures,
the versions loaded in order, what each config_version decided)."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time

import shoprules

url, event_path = sys.argv[1], sys.argv[2]
plugin_dirs = sys.argv[3:] or None
out_lock = threading.Lock()


def say(obj: dict) -> None:
    with out_lock:
        print(json.dumps(obj), flush=True)


class Loads(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if msg.startswith("config store version") and "in force" in msg:
            say({"loaded": int(msg.split()[3]), "t": time.time()})
        elif msg.startswith("config store version") and "refused" in msg:
            say({"refused": int(msg.split()[3]), "t": time.time()})
        elif "store reconnected" in msg:
            say({"reconnected": time.time()})


logger = logging.getLogger("shoprules")
logger.setLevel(logging.INFO)
logger.addHandler(Loads())

host = shoprules.Host(config=url, plugin_dirs=plugin_dirs, check_seconds=60, heartbeat_seconds=0.3)
event = json.loads(open(event_path).read())
stop = threading.Event()
counts = {"evaluations": 0, "failures": 0}
seen: dict[str, set] = {}
errors: list[str] = []


def work() -> None:
    n = failures = 0
    local: dict[str, set] = {}
    while not stop.is_set():
        try:
            d = host.evaluate(event)
            approve = any(a.type == "return.approve" for a in d.actions)
            local.setdefault(d.config_version, set()).add(approve)
            n += 1
        except Exception as error:  # counted: the test expects none
            failures += 1
            errors.append(repr(error))
    with out_lock:
        counts["evaluations"] += n
        counts["failures"] += failures
        for k, v in local.items():
            seen.setdefault(k, set()).update(v)


threads = [threading.Thread(target=work) for _ in range(2)]
for t in threads:
    t.start()
say({"ready": host.config_source["version"]})
sys.stdin.read()
stop.set()
for t in threads:
    t.join()
error = host.last_reload_error
say(
    {
        **counts,
        "errors": errors[:3],
        "seen": {k: sorted(v) for k, v in seen.items()},
        "version": host.config_source["version"],
        "last_reload_error": None if error is None else str(error),
    }
)
host.close()
