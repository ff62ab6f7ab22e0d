"""Replays past one machine: one Dask task per file or Parquet row group, merged exactly.

    import shoprules.dask
    from distributed import Client
    report = shoprules.dask.simulate("logs/*.parquet", "store.json", client=Client("tcp://s:8786"))

Every worker needs shoprules and the plugins the configs name installed, and must see the files
at the same paths. Each task replays its part in C++ (`shoprules.eventlog.run_parts`) and
returns its partial report; the client merges the partials (`merge_reports`). The merged report
equals a one-process run's report on the same events but for the run-dependent fields
`seconds` and `events_per_second` (RUN_DEPENDENT). A partial is a returned value, never a side
effect, so a task that Dask runs again after its worker died is counted once.

`pip install shoprules[dask]`.
"""

from __future__ import annotations

import calendar
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import _core, eventlog

#: Fields of a report that depend on the run (the machine, its load), not on the events.
RUN_DEPENDENT = ("seconds", "events_per_second")


def fixed_config(config: Any) -> dict[str, Any] | None:
    """A config as a JSON dict that travels to the workers: a file, or a config store's version
    in force, is read here, once, so every worker decides by the same version of it."""
    if config is None or isinstance(config, dict):
        return config
    config = eventlog.store_version(config)  # a store URL: its version in force, as a dict
    if isinstance(config, dict):
        return config
    text = os.fspath(config)
    try:
        value = json.loads(Path(text).read_text())
    except OSError as error:
        raise eventlog.EventLogError(f"{text}: cannot read the config ({error})") from None
    except ValueError as error:
        raise eventlog.EventLogError(f"{text}: not a JSON config ({error})") from None
    if not isinstance(value, dict):
        raise eventlog.EventLogError(f"{text}: a config is a JSON object")
    return value


def _seconds(iso: str) -> int:
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


def _sum(a: Any, b: Any) -> Any:
    """Adds two tallies of the same shape: numbers add, maps add key by key, and anything else
    (config_version) must be equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _sum(out[k], v) if k in out else v
        return out
    if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool):
        return a + b
    if a != b:
        raise ValueError(f"partial reports disagree: {a!r} and {b!r}")
    return a


def merge_reports(
    partials: Sequence[dict[str, Any]], name: str, seconds: float, bad_lines_listed: int = 20
) -> dict[str, Any]:
    """One report from the partial reports of disjoint parts of a log: counts and integer money
    add up exactly, first_at/last_at are the extremes, bad examples the first ones by file and
    number (each naming its file when the parts, named by their "file", are of several files
    with lines); `seconds` is the wall-clock time of the whole run."""
    events = sum(p["events"] for p in partials)
    firsts = [p["first_at"] for p in partials if p["first_at"] is not None]
    lasts = [p["last_at"] for p in partials if p["last_at"] is not None]
    first = min(firsts, key=_seconds) if firsts else None
    last = max(lasts, key=_seconds) if lasts else None
    bad = sorted(
        (b for p in partials for b in p["bad_examples"]),
        key=lambda b: (b.get("file", ""), b.get("line", b.get("row", 0))),
    )
    configs: list[Any] = []
    for p in partials:
        if not configs:
            configs = [dict(c) for c in p["configs"]]
        else:
            configs = [_sum(a, b) for a, b in zip(configs, p["configs"])]
    if len({p["file"] for p in partials if p["lines"]}) <= 1:  # as one process: a single file
        bad = [{k: v for k, v in b.items() if k != "file"} for b in bad]  # needs no names
    return {
        "file": name,
        "lines": sum(p["lines"] for p in partials),
        "events": events,
        "bad_lines": sum(p["bad_lines"] for p in partials),
        "bad_examples": bad[:bad_lines_listed],
        "seconds": seconds,
        "events_per_second": events / seconds if seconds > 0 else 0,
        "first_at": first,
        "last_at": last,
        "days": (_seconds(last) - _seconds(first) + 86399) // 86400 if events else 0,
        "configs": configs,
    }


def run_part(
    part: eventlog.Part,
    config: dict[str, Any] | None,
    against: dict[str, Any] | None,
    options: dict[str, Any],
) -> dict[str, Any]:
    """A Dask task: replays one part on this worker and returns its partial report, whose bad
    examples all name their file (merge_reports keeps the names only for several files)."""
    report = eventlog.run_parts([part], part.file, config, against, **options)
    for bad in report["bad_examples"]:
        bad.setdefault("file", part.file)
    return report


def simulate(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    config: Any = None,
    against: Any = None,
    *,
    client: Any = None,
    plugin_dirs: Sequence[str | os.PathLike[str]] | None = None,
    threads: int = 1,
    label_cost: int = 0,
    pickup_cost: int = 0,
    upgrade_cost: int = 0,
    split_row_groups: bool = True,
    progress: Callable[[int, int, int], object] | None = None,
) -> dict[str, Any]:
    """Replays event logs on a Dask cluster and returns the report `shoprules.simulate` would.

    client: a distributed.Client (default: the current one). One task per JSON-lines file and
    per Parquet row group (per file with split_row_groups=False); `threads` C++ threads each.
    progress(done_bytes, total_bytes, lines) is called as parts finish; raising cancels.
    """
    # Said here, once, not by every worker after the cluster has started on the parts.
    if not 0 <= threads <= _core.MAX_THREADS:
        raise ValueError(f"threads: expected 0 (every core) to {_core.MAX_THREADS}, got {threads}")
    costs = {"label_cost": label_cost, "pickup_cost": pickup_cost, "upgrade_cost": upgrade_cost}
    for name, cost in costs.items():
        if cost < 0:
            raise ValueError(f"{name}: expected 0 or more minor units, got {cost}")
    from distributed import as_completed, default_client

    client = client or default_client()
    start = time.perf_counter()
    files = eventlog.expand(paths)
    parts = eventlog.parts_of(files, split_row_groups=split_row_groups)
    fixed, fixed_against = fixed_config(config), fixed_config(against)
    options = {
        "plugin_dirs": [str(d) for d in plugin_dirs] if plugin_dirs else None,
        "threads": threads,
        **costs,
    }
    futures = [
        client.submit(run_part, part, fixed, fixed_against, options, pure=False) for part in parts
    ]
    total = sum(p.bytes for p in parts)
    done = lines = 0
    partials: list[dict[str, Any]] = []
    try:
        if progress:
            progress(0, total, 0)
        by_future = dict(zip(futures, parts))
        for future in as_completed(futures):
            partial = future.result()
            partials.append(partial)
            done += by_future[future].bytes
            lines += partial["lines"]
            if progress:
                progress(done, total, lines)
    except BaseException:
        client.cancel(futures)
        raise
    name = (
        ", ".join(os.fspath(s) for s in paths)
        if isinstance(paths, (list, tuple))
        else os.fspath(paths)
    )
    return merge_reports(partials, name, time.perf_counter() - start)
