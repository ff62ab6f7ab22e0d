"""One Host shared by many Python threads, while its config is reloaded."""

from __future__ import annotations

import threading

import shoprules


def test_many_threads_one_host(all_events) -> None:
    host = shoprules.Host(config={"seed": "threads"})
    expected = [host.evaluate(e).to_dict() for e in all_events]
    failures: list[str] = []

    def worker() -> None:
        for _ in range(200):
            for event, want in zip(all_events, expected):
                got = host.evaluate(event).to_dict()
                if got != want:
                    failures.append(event["id"])

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_batches_on_threads_while_reloading(return_event) -> None:
    configs = {
        days: {"plugins": {"returns": {"rules": {"window": {"days": days}}}}} for days in (30, 365)
    }
    versions = {days: shoprules.Host(config=c).config_version for days, c in configs.items()}
    expected_type = {versions[30]: "return.deny", versions[365]: "return.approve"}
    host = shoprules.Host(config=configs[365])
    stop = threading.Event()
    seen: list[tuple[str, str]] = []

    def evaluator() -> None:
        while not stop.is_set():
            for d in host.evaluate_many([return_event] * 256, threads=2):
                seen.append((d.config_version, d.actions[0].type))

    workers = [threading.Thread(target=evaluator) for _ in range(3)]
    for w in workers:
        w.start()
    for i in range(100):
        host.reload(configs[30 if i % 2 else 365])
    stop.set()
    for w in workers:
        w.join()
    assert seen
    mismatched = [(v, t) for v, t in seen if expected_type[v] != t]
    assert mismatched == []
