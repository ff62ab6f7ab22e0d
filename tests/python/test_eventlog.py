"""Event logs of any size: Parquet read through the Arrow C data interface gives the same report
as JSON lines, convert round-trips, .jsonl.gz, folders and globs, and hostile Parquet files are
clear errors or bad rows, never a crash."""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shoprules
from shoprules import eventlog

ROOT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).with_name("shoprules"))
sys.path.insert(0, str(ROOT / "tests" / "bench"))
import make_events  # noqa: E402

RUN_DEPENDENT = ("seconds", "events_per_second")
NO_FREE_SHIPPING = {"plugins": {"returns": {"rules": {"free_return_shipping": {"enabled": False}}}}}


def same(a: dict[str, Any], b: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both reports without the fields that depend on the run or name the input."""
    drop = (*RUN_DEPENDENT, "file")
    return (
        {k: v for k, v in a.items() if k not in drop},
        {k: v for k, v in b.items() if k not in drop},
    )


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> dict[str, Path]:
    """100,000 generated events as JSON lines, as .jsonl.gz and as Parquet made by convert (times
    as text, and as timestamps)."""
    d = tmp_path_factory.mktemp("logs")
    jsonl = d / "events.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "tests" / "bench" / "make_events.py"), "100000", str(jsonl)],
        check=True,
    )
    gz = d / "events.jsonl.gz"
    with open(jsonl, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    parquet = d / "events.parquet"
    result = shoprules.convert(jsonl, parquet)
    assert result == {"lines": 100000, "rows": 100000, "bad_lines": 0, "bad_examples": []}
    (d / "stamped").mkdir()  # out of the way of the tests that glob d
    timestamps = d / "stamped" / "events.parquet"
    result = shoprules.convert(jsonl, timestamps, times="timestamp")
    assert result == {"lines": 100000, "rows": 100000, "bad_lines": 0, "bad_examples": []}
    return {"jsonl": jsonl, "gz": gz, "parquet": parquet, "timestamps": timestamps}


def test_parquet_and_jsonl_of_the_same_events_give_the_same_report(logs) -> None:
    a = shoprules.simulate(logs["jsonl"], {}, NO_FREE_SHIPPING, label_cost=695)
    b = shoprules.simulate(logs["parquet"], {}, NO_FREE_SHIPPING, label_cost=695)
    assert a["events"] == 100000 and a["configs"][0]["by_type"]["refund.issue"]["count"] > 0
    assert b["file"] == str(logs["parquet"])
    left, right = same(a, b)
    assert left == right


def test_parquet_with_timestamps_gives_the_same_report(logs) -> None:
    a = shoprules.simulate(logs["jsonl"], {}, NO_FREE_SHIPPING, label_cost=695)
    b = shoprules.simulate(logs["timestamps"], {}, NO_FREE_SHIPPING, label_cost=695)
    assert b["events"] == 100000
    left, right = same(a, b)
    assert left == right


def test_jsonl_gz_gives_the_same_report_as_jsonl(logs) -> None:
    a = shoprules.simulate(logs["jsonl"], {})
    b = shoprules.simulate(logs["gz"], {})
    left, right = same(a, b)
    assert left == right


def _strip_nulls(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _strip_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_strip_nulls(x) for x in v]
    return v


def test_convert_round_trips(logs) -> None:
    rows = pq.read_table(logs["parquet"]).slice(0, 2000).to_pylist()
    with open(logs["jsonl"]) as f:
        events = [json.loads(next(f)) for _ in range(2000)]
    assert [_strip_nulls(r) for r in rows] == [_strip_nulls(e) for e in events]
    assert pq.ParquetFile(logs["parquet"]).schema_arrow == eventlog.event_schema()


def test_convert_never_overwrites_its_log_nor_writes_parquet_under_another_name(
    tmp_path: Path,
) -> None:
    log = tmp_path / "events.jsonl"
    log.write_text("".join(json.dumps(e) + "\n" for e in _events(10)))
    text = log.read_text()
    with pytest.raises(shoprules.EventLogError) as info:
        shoprules.convert(log, log)  # would have replaced the log with its Parquet
    assert str(info.value) == f"{log}: a Parquet log's name ends in .parquet or .pq"
    named = tmp_path / "events.parquet"
    named.write_text(text)  # JSON lines under a Parquet name: still the log being read
    with pytest.raises(shoprules.EventLogError) as info:
        shoprules.convert(named, named)
    assert str(info.value) == f"{named}: is the log being converted; name another file"
    run = subprocess.run([CLI, "convert", str(log), str(log)], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip() == (
        f"shoprules convert: {log}: a Parquet log's name ends in .parquet or .pq"
    )
    assert log.read_text() == text and named.read_text() == text
    assert not list(tmp_path.glob(".*.tmp"))
    assert shoprules.convert(log, tmp_path / "out.PQ")["rows"] == 10


def test_convert_with_timestamps_writes_the_seconds_the_host_reads(logs) -> None:
    assert pq.ParquetFile(logs["timestamps"]).schema_arrow == eventlog.event_schema("timestamp")
    rows = pq.read_table(logs["timestamps"]).slice(0, 2000).to_pylist()
    with open(logs["jsonl"]) as f:
        events = [json.loads(next(f)) for _ in range(2000)]
    times = 0
    for row, event in zip(rows, events, strict=True):
        for path in eventlog.TIME_FIELDS:
            got, text = row, event
            for key in path:
                got = got.get(key) if got else None
                text = text.get(key) if text else None
            if text is None:
                assert got is None
                continue
            times += 1
            assert int(got.timestamp()) == _core_seconds(text), (path, text, got)
        for key in ("id", "type", "store"):  # the rest is as before
            assert row[key] == event.get(key)
    assert times > 4000  # every event's `at`, and the sections' times


def _core_seconds(text: str) -> int:
    seconds = shoprules._core._parse_time(text)
    assert seconds is not None
    return seconds


def test_convert_with_timestamps_leaves_out_a_time_the_host_cannot_read(tmp_path: Path) -> None:
    rng = random.Random(3)
    good = [make_events.event(i, rng) for i in range(3)]
    late = json.loads(json.dumps(good[1]))
    late["at"] = "yesterday"
    odd = json.loads(json.dumps(good[2]))
    odd["customer"]["since"] = "2026-02-30"  # no such day
    zoned = json.loads(json.dumps(good[0]))
    zoned["id"] = "zoned"
    zoned["at"] = "2026-11-23T12:00:00.75+02:00"  # read as 10:00:00 UTC, as the host reads it
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in (good[0], late, odd, zoned)) + "\n")
    dst = tmp_path / "out.parquet"
    out = subprocess.run(
        [CLI, "convert", "--times", "timestamp", str(src), str(dst)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "2 events from 4 lines" in out.stdout and "2 lines left out" in out.stdout
    expected = "expected an ISO-8601 time such as 2026-11-23T10:00:00Z"
    assert f'line 2: at: {expected}, got "yesterday"' in out.stdout
    assert f'line 3: customer.since: {expected}, got "2026-02-30"' in out.stdout
    rows = pq.read_table(dst).to_pylist()
    assert [r["id"] for r in rows] == [good[0]["id"], "zoned"]
    assert rows[1]["at"].isoformat() == "2026-11-23T10:00:00+00:00"
    # As text, the same lines are all kept: the bad times are bad rows when replayed.
    assert shoprules.convert(src, tmp_path / "text.parquet")["rows"] == 4
    report = shoprules.simulate(tmp_path / "text.parquet", {})
    assert report["bad_lines"] == 2
    with pytest.raises(ValueError, match="times: expected one of string, timestamp"):
        shoprules.convert(src, tmp_path / "x.parquet", times="unix")
    assert not (tmp_path / "x.parquet").exists()


def test_convert_leaves_out_lines_of_another_shape_and_says_so(tmp_path: Path) -> None:
    rng = random.Random(1)
    good = [make_events.event(i, rng) for i in range(3)]
    lines = [json.dumps(good[0]), "{not json", json.dumps({**good[1], "id": 5}), "", "[1]"]
    bad_qty = json.loads(json.dumps(good[2]))
    bad_qty["customer"]["orders"] = 1.0  # a float where an integer goes: not silently 1
    lines += [json.dumps(bad_qty), json.dumps(good[2])]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    dst = tmp_path / "out.parquet"
    out = subprocess.run([CLI, "convert", str(src), str(dst)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert f"{dst}: 2 events from 7 lines of {src}; 4 lines left out" in out.stdout
    assert "line 2: not valid JSON" in out.stdout
    assert "line 3: a field of another type" in out.stdout
    assert [r["id"] for r in pq.read_table(dst).to_pylist()] == [good[0]["id"], good[2]["id"]]
    # Nothing written for a log that is not there.
    out = subprocess.run(
        [CLI, "convert", str(tmp_path / "missing.jsonl"), str(tmp_path / "x.parquet")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and "missing.jsonl: no such event log" in out.stderr
    assert not (tmp_path / "x.parquet").exists()


def test_folders_globs_and_lists_replay_every_file_once(logs, tmp_path: Path) -> None:
    folder = tmp_path / "season"
    folder.mkdir()
    shutil.copy(logs["parquet"], folder / "a.parquet")
    shutil.copy(logs["gz"], folder / "b.jsonl.gz")
    (folder / "notes.txt").write_text("not a log")
    one = shoprules.simulate(logs["jsonl"], {})
    for source in (folder, str(folder / "*.*[tz]"), [folder / "a.parquet", folder / "b.jsonl.gz"]):
        report = shoprules.simulate(source, {})
        assert report["events"] == 2 * one["events"]
        by_type = report["configs"][0]["by_type"]
        for kind, tally in one["configs"][0]["by_type"].items():
            assert by_type[kind]["count"] == 2 * tally["count"]
    with pytest.raises(shoprules.EventLogError, match="no file matches"):
        shoprules.simulate(str(tmp_path / "*.parquet"), {})


def _table(rows: list[dict[str, Any]], schema: pa.Schema | None = None) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema or eventlog.event_schema())


def _events(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_events.event(i, rng) for i in range(n)]


def test_a_column_of_the_wrong_type_is_one_error_before_any_event(tmp_path: Path) -> None:
    good = tmp_path / "a.parquet"
    pq.write_table(_table(_events(50)), good)
    schema = eventlog.event_schema()
    order = schema.field("order").type
    line = order.field("lines").type.value_type
    line = pa.struct([f if f.name != "price" else pa.field("price", pa.string()) for f in line])
    order = pa.struct(
        [f if f.name != "lines" else pa.field("lines", pa.list_(line)) for f in order]
    )
    wrong = schema.set(schema.get_field_index("order"), pa.field("order", order))
    events = _events(50)
    for e in events:
        for ln in e.get("order", {}).get("lines", []):
            ln["price"] = str(ln["price"])
    bad = tmp_path / "b.parquet"
    pq.write_table(_table(events, wrong), bad)
    calls = []
    with pytest.raises(shoprules.EventLogError) as error:
        shoprules.simulate(tmp_path, {}, progress=lambda *p: calls.append(p))
    assert str(error.value) == (
        f'{bad}: column order.lines.price: expected an integer, got string (Arrow format "u")'
    )
    assert calls == []  # nothing was evaluated, not even the good file first
    out = subprocess.run([CLI, "simulate", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [f"shoprules simulate: {error.value}"]
    # A section of another shape, and a top-level column: named the same way.
    flat = tmp_path / "flat"
    flat.mkdir()
    pq.write_table(pa.table({"id": ["e"], "customer": ["c-1"]}), flat / "c.parquet")
    with pytest.raises(
        shoprules.EventLogError,
        match=r"c.parquet: column customer: expected a "
        r"struct, got string",
    ):
        shoprules.simulate(flat, {})


def test_bad_rows_are_counted_and_quoted_by_file_and_row(tmp_path: Path) -> None:
    events = _events(40)
    orders = [i for i, e in enumerate(events) if e["type"] == "order.placed"]
    events[3]["id"] = None  # a required field null
    events[orders[5]]["order"]["lines"][0]["price"] = -5
    events[orders[6]]["customer"]["id"] = None
    events[orders[7]]["order"]["lines"] = [dict(events[orders[7]]["order"]["lines"][0])] * 1001
    events[orders[8]]["customer"]["tier"] = "x" * 1025
    path = tmp_path / "bad.parquet"
    pq.write_table(_table(events), path, row_group_size=16)
    report = shoprules.simulate(path, {})
    assert report["lines"] == 40 and report["bad_lines"] == 5 and report["events"] == 35
    quoted = {b["row"]: b["error"] for b in report["bad_examples"]}
    assert all("file" not in b for b in report["bad_examples"])  # one file: rows say enough
    assert quoted == {
        3: "id: is required",
        orders[5]: "order.lines[0].price: expected a non-negative integer (minor units), got -5",
        orders[6]: "customer.id: is required",
        orders[7]: "order.lines: expected at most 1000 items, got 1001",
        orders[8]: "customer.tier: expected at most 1024 bytes of text, got 1025",
    }
    # Kept in memory as typed events, a log replays the same bad rows, read once.
    eventlog.clear_cache()
    for _ in range(2):
        cached = shoprules.simulate(path, {}, cache=True)
        assert same(cached, report)[0] == same(cached, report)[1]
        assert eventlog.cached_events() == 40
    eventlog.clear_cache()
    # The same events as JSON lines are the same bad lines (numbered from 1).
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text("".join(json.dumps(_strip_nulls(e)) + "\n" for e in events))
    lines = shoprules.simulate(jsonl, {})
    assert {b["line"] - 1: b["error"] for b in lines["bad_examples"]} == quoted
    left, right = same(report, lines)
    left.pop("bad_examples"), right.pop("bad_examples")
    assert left == right


STORES = {"stores": {"eu": {}, "outlet": {"plugins": {"delight": {"enabled": False}}}}}


@pytest.mark.parametrize("unknown_store", [False, True])
def test_a_kept_log_replays_as_it_was_read(tmp_path: Path, unknown_store: bool) -> None:
    # Kept in memory, a batch's events are stored grouped by type: the report, its bad rows
    # (more than are quoted, so which are quoted depends on their order) and its sums are those
    # of the log read row by row, with events of several stores, and one a config lacks.
    events = _events(3000, seed=11)
    bad_rows = set()
    for i, e in enumerate(events):
        e["store"] = ("default", "eu", "outlet")[i % 3]
        if i % 37 == 5:
            e["id"] = None
            bad_rows.add(i)
        elif unknown_store and i % 53 == 7:
            e["store"] = "mars"
            bad_rows.add(i)
    path = tmp_path / "mixed.parquet"
    pq.write_table(_table(events), path, row_group_size=1000)
    against = {**STORES, **NO_FREE_SHIPPING}
    eventlog.clear_cache()
    try:
        plain = shoprules.simulate(path, STORES, threads=1)
        assert plain["bad_lines"] == len(bad_rows) > 20
        assert [b["row"] for b in plain["bad_examples"]] == sorted(bad_rows)[:20]
        for threads in (1, 2, 1):
            kept = shoprules.simulate(path, STORES, against, threads=threads, cache=True)
            assert eventlog.cached_events() == 3000
            left, right = same(kept, plain)
            assert left.pop("configs")[0] == right.pop("configs")[0]
            assert left == right
    finally:
        eventlog.clear_cache()


def test_a_list_of_a_million_items_is_a_bad_row(tmp_path: Path) -> None:
    events = _events(20)
    i = next(k for k, e in enumerate(events) if e["type"] == "order.placed")
    big = pa.array([["h"] * 1_000_000], type=pa.list_(pa.string()))
    table = _table(events)
    customers = table.column("customer").combine_chunks()
    household = customers.field("household")
    # Row i's household becomes a list of 10^6 strings, built in Arrow (not as Python objects).
    offsets = household.offsets.to_pylist()
    values = household.values
    items = pa.concat_arrays(
        [values.slice(0, offsets[i]), big.values, values.slice(offsets[i + 1])]
    )
    sizes = [offsets[k + 1] - offsets[k] for k in range(len(events))]
    sizes[i] = 1_000_000
    new_offsets = [0]
    for s in sizes:
        new_offsets.append(new_offsets[-1] + s)
    new_household = pa.ListArray.from_arrays(pa.array(new_offsets, pa.int32()), items)
    fields = [
        customers.field(f.name) if f.name != "household" else new_household for f in customers.type
    ]
    new_customers = pa.StructArray.from_arrays(fields, fields=list(customers.type))
    table = table.set_column(table.schema.get_field_index("customer"), "customer", new_customers)
    path = tmp_path / "big.parquet"
    pq.write_table(table, path)
    report = shoprules.simulate(path, {})
    assert report["events"] == 19 and report["bad_lines"] == 1
    assert report["bad_examples"] == [
        {
            "row": i,
            "error": "customer.household: expected at most 100 items, got 1000000",
        }
    ]


def test_truncated_and_not_parquet_files_are_clear_errors(logs, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.parquet"
    data = logs["parquet"].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    text = tmp_path / "text.parquet"
    text.write_text('{"id": "not parquet"}\n')
    empty = tmp_path / "empty.parquet"
    empty.write_bytes(b"")
    for path in (truncated, text, empty):
        with pytest.raises(shoprules.EventLogError, match=f"^{path}: not a readable Parquet file"):
            shoprules.simulate(path, {})
        out = subprocess.run([CLI, "simulate", str(path)], capture_output=True, text=True)
        assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    # A footer that is whole but column data cut short: the error comes while reading.
    table = _table(_events(3000))
    whole = tmp_path / "whole.parquet"
    pq.write_table(table, whole, row_group_size=1000)
    raw = bytearray(whole.read_bytes())
    meta = pq.ParquetFile(whole).metadata
    start = meta.row_group(1).column(0).data_page_offset
    raw[start : start + 64] = b"\xff" * 64  # the second row group's first page, garbled
    garbled = tmp_path / "garbled.parquet"
    garbled.write_bytes(bytes(raw))
    with pytest.raises(shoprules.EventLogError, match=f"^{garbled}: cannot read"):
        shoprules.simulate(garbled, {})
    gz = tmp_path / "cut.jsonl.gz"
    gz.write_bytes(logs["gz"].read_bytes()[:5000])
    with pytest.raises(shoprules.EventLogError) as cut:
        shoprules.simulate(gz, {})
    assert str(cut.value) == f"{gz}: cannot read the event log: unexpected end of file"


def test_a_rewritten_parquet_file_is_read_afresh(tmp_path: Path) -> None:
    # Footers (and, with cache=True, rows) are kept by file, size and modification time: a file
    # written again in place is a new log.
    log = tmp_path / "log.parquet"
    pq.write_table(_table(_events(400)), log, row_group_size=100)
    first = shoprules.simulate(log, {})
    assert first["events"] == 400
    for count, groups in ((250, 50), (900, 300)):
        pq.write_table(_table(_events(count, seed=count)), log, row_group_size=groups)
        again = shoprules.simulate(log, {})
        assert again["events"] == count
        kept = shoprules.simulate(log, {}, cache=True)
        left, right = same(kept, again)
        assert left == right


def test_missing_columns_take_the_event_defaults_and_typed_times_read(tmp_path: Path) -> None:
    events = [e for e in _events(300) if e["type"] in ("order.placed", "contact.received")]
    # A narrower schema: no store, no customer.tags/tier/vip, ints as int32, `at` a timestamp;
    # the same events as JSON lines leave those keys out.
    rows = []
    for e in events:
        for k in ("tags", "tier", "vip"):
            e["customer"].pop(k, None)
        r = json.loads(json.dumps(e))
        r["at"] = eventlog_time(r["at"])
        rows.append(r)
    full = tmp_path / "full.jsonl"
    full.write_text("".join(json.dumps(_strip_nulls(e)) + "\n" for e in events))
    assert any(e["customer"].get("vip") for e in _events(300))  # a default that matters
    customer = eventlog.event_schema().field("customer").type
    narrow_customer = pa.struct(
        [
            pa.field(f.name, pa.int32() if f.type == pa.int64() else f.type)
            for f in customer
            if f.name not in ("tags", "tier", "vip")
        ]
    )
    schema = pa.schema(
        [
            pa.field("id", pa.string()),
            pa.field("type", pa.large_string()),
            pa.field("at", pa.timestamp("ms", tz="UTC")),
            pa.field("customer", narrow_customer),
            eventlog.event_schema().field("order"),
            eventlog.event_schema().field("contact"),
            pa.field("unknown_column", pa.float64()),
        ]
    )
    path = tmp_path / "narrow.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    left, right = same(shoprules.simulate(path, {}), shoprules.simulate(full, {}))
    assert left["bad_lines"] == 0 and left == right


def eventlog_time(iso: str) -> Any:
    from datetime import datetime

    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=__import__("datetime").timezone.utc
    )


def test_progress_and_cancel_on_parquet(logs) -> None:
    calls: list[tuple[int, int, int]] = []
    report = shoprules.simulate(logs["parquet"], {}, progress=lambda *p: calls.append(p))
    size = logs["parquet"].stat().st_size
    assert calls[0] == (0, size, 0) and calls[-1] == (size, size, report["lines"])
    done = [c[0] for c in calls]
    assert done == sorted(done)

    class Stop(Exception):
        pass

    def stop(done: int, total: int, lines: int) -> None:
        raise Stop("cancelled")

    with pytest.raises(Stop):
        shoprules.simulate(logs["parquet"], {}, progress=stop)
    assert shoprules.simulate(logs["parquet"], {}, threads=1)["events"] == 100000


def test_cli_simulates_a_folder_and_a_glob(logs, tmp_path: Path) -> None:
    out = subprocess.run(
        [CLI, "simulate", str(logs["parquet"]), "--json"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    left, right = same(report, shoprules.simulate(logs["jsonl"], {}))
    assert left == right
    out = subprocess.run(
        [CLI, "simulate", str(logs["parquet"].parent / "*.parquet")], capture_output=True, text=True
    )
    assert out.returncode == 0 and "100,000 events over 90 days, 0 bad lines" in out.stdout


def test_cache_keeps_a_parquet_log_in_memory_within_its_cap(logs, monkeypatch) -> None:
    eventlog.clear_cache()
    plain = shoprules.simulate(logs["parquet"], {})
    assert eventlog.cached_bytes() == 0  # only when asked
    first = shoprules.simulate(logs["parquet"], {}, cache=True)
    held = eventlog.cached_bytes()
    # The record batches and, read by that replay, their rows as typed events.
    assert eventlog.cached_events() == 100000
    arrow = sum(b.nbytes for b in pq.ParquetFile(logs["parquet"]).iter_batches(eventlog.BATCH_ROWS))
    assert held > arrow + 100000 * 500
    again = shoprules.simulate(logs["parquet"], {}, NO_FREE_SHIPPING, cache=True)
    assert eventlog.cached_bytes() == held
    assert same(first, plain)[0] == same(first, plain)[1]
    assert again["configs"][0] == first["configs"][0] and again["events"] == 100000
    eventlog.clear_cache()
    monkeypatch.setattr(eventlog, "CACHE_BYTES", held // 2)  # the log is larger than the cap
    shoprules.simulate(logs["parquet"], {}, cache=True)
    assert eventlog.cached_bytes() == 0


CACHE_SETTING = """
import json, sys, shoprules
from shoprules import eventlog
parquet, jsonl = sys.argv[1:]
out = {"host": len(shoprules.Host().evaluate(json.loads(open(jsonl).readline())).trace) > 0}
out["plain"] = shoprules.simulate(parquet, {})["events"]
out["jsonl"] = shoprules.simulate(jsonl, {}, cache=True)["events"]
try:
    out["kept"] = shoprules.simulate(parquet, {}, cache=True)["events"]
except shoprules.EventLogError as error:
    out["kept"] = str(error)
out["cached"] = eventlog.cached_events()
print(json.dumps(out))
"""


@pytest.mark.parametrize("setting", ["1G", "-5", "0.5", "\u00b2"])
def test_a_bad_cache_size_is_said_when_a_log_would_be_kept(logs, setting: str) -> None:
    env = {**os.environ, "SHOPRULES_SIMULATE_CACHE_MB": setting}
    args = [sys.executable, "-c", CACHE_SETTING, str(logs["parquet"]), str(logs["jsonl"])]
    run = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    # import shoprules, a Host, replays without the cache and of JSON lines all work.
    assert json.loads(run.stdout) == {
        "host": True,
        "plain": 100000,
        "jsonl": 100000,
        "kept": f"SHOPRULES_SIMULATE_CACHE_MB is {setting!r}: expected a whole number of MiB "
        "(0 keeps nothing in memory)",
        "cached": 0,
    }


def test_a_cache_size_of_zero_keeps_nothing(logs) -> None:
    env = {**os.environ, "SHOPRULES_SIMULATE_CACHE_MB": " 0 "}
    args = [sys.executable, "-c", CACHE_SETTING, str(logs["parquet"]), str(logs["jsonl"])]
    run = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    out = json.loads(run.stdout)
    assert (out["kept"], out["cached"]) == (100000, 0)


def test_dictionary_encoded_strings_read_as_their_values(tmp_path: Path) -> None:
    events = _events(500)
    table = _table(events)
    for name in ("type", "at"):
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, table.column(name).dictionary_encode())
    path = tmp_path / "dict.parquet"
    pq.write_table(table, path)
    assert pa.types.is_dictionary(pq.ParquetFile(path).schema_arrow.field("type").type)
    plain = tmp_path / "plain.parquet"
    pq.write_table(_table(events), plain)
    left, right = same(shoprules.simulate(path, {}), shoprules.simulate(plain, {}))
    assert left["events"] == 500 and left == right
    # Integers where a string goes (Parquet keeps a dictionary of integers as plain integers).
    i = table.schema.get_field_index("id")
    ints = pa.array(range(500)).dictionary_encode()
    pq.write_table(table.set_column(i, "id", ints), tmp_path / "bad.parquet")
    with pytest.raises(shoprules.EventLogError, match="column id: expected a string, got int64"):
        shoprules.simulate(tmp_path / "bad.parquet", {})


TIER_TERMS = {"plugins": {"loyalty": {"rules": {"tier_terms": {"enabled": True}}}}}


def test_the_next_rules_fields_read_from_parquet_as_from_json_lines(tmp_path: Path) -> None:
    # customer.last_order_at (a typed timestamp here), customer.spend_12m and a return line's
    # exchange_for struct decide points expiry, tier terms and exchanges the same as JSON lines.
    events = _events(600)
    returns = [i for i, e in enumerate(events) if e["type"] == "return.requested"]
    bad = returns[0]
    events[bad]["return"]["lines"][0] = {  # an exchange for a line that was not bought
        "sku": "NOT-ON-THE-ORDER",
        "qty": 1,
        "exchange_for": {"sku": "SH-1", "size": "9"},
    }
    jsonl = tmp_path / "next.jsonl"
    jsonl.write_text("".join(json.dumps(e) + "\n" for e in events))
    schema = eventlog.event_schema()
    customer = schema.field("customer").type
    typed = pa.struct(
        [
            pa.field(f.name, pa.timestamp("s", tz="UTC")) if f.name == "last_order_at" else f
            for f in customer
        ]
    )
    schema = schema.set(schema.get_field_index("customer"), pa.field("customer", typed))
    rows = json.loads(json.dumps(events))
    for r in rows:
        if "last_order_at" in r["customer"]:
            r["customer"]["last_order_at"] = eventlog_time(r["customer"]["last_order_at"])
    typed_path = tmp_path / "typed.parquet"
    pq.write_table(_table(rows, schema), typed_path, row_group_size=128)
    converted = tmp_path / "converted.parquet"
    assert shoprules.convert(jsonl, converted)["rows"] == len(events)
    lines = shoprules.simulate(jsonl, {}, TIER_TERMS)
    rules = lines["configs"][1]["by_rule"]
    for rule in ("loyalty.points_expiry", "loyalty.tier_terms", "returns.exchange_first"):
        assert rules[rule]["count"] > 0, rule  # the new fields were read and decided something
    assert lines["configs"][0]["points"]["expired"] > 0
    assert lines["bad_examples"] == [
        {
            "line": bad + 1,
            "error": "return.lines[0].exchange_for: an exchange needs the returned line on the "
            'order, and sku "NOT-ON-THE-ORDER" is not on it',
        }
    ]
    for path in (typed_path, converted):
        report = shoprules.simulate(path, {}, TIER_TERMS)
        assert report["bad_examples"] == [{"row": bad, "error": lines["bad_examples"][0]["error"]}]
        left, right = same(report, lines)
        left.pop("bad_examples"), right.pop("bad_examples")
        assert left == right, path


def test_an_exchange_for_column_of_the_wrong_type_names_it(tmp_path: Path) -> None:
    schema = eventlog.event_schema()
    ret = schema.field("return").type
    line = ret.field("lines").type.value_type
    wrong_line = pa.struct(
        [pa.field("exchange_for", pa.string()) if f.name == "exchange_for" else f for f in line]
    )
    wrong_ret = pa.struct(
        [pa.field("lines", pa.list_(wrong_line)) if f.name == "lines" else f for f in ret]
    )
    schema = schema.set(schema.get_field_index("return"), pa.field("return", wrong_ret))
    path = tmp_path / "wrong.parquet"
    pq.write_table(_table([], schema), path)
    with pytest.raises(shoprules.EventLogError) as error:
        shoprules.simulate(path, {})
    assert str(error.value) == (
        f"{path}: column return.lines.exchange_for: expected a struct, got string "
        '(Arrow format "u")'
    )


def _field_names(t: pa.DataType) -> set[str]:
    names: set[str] = set()
    if pa.types.is_struct(t):
        for f in t:
            names |= {f.name} | _field_names(f.type)
    elif pa.types.is_list(t) or pa.types.is_large_list(t):
        names |= _field_names(t.value_type)
    return names


def test_the_parquet_schema_has_every_field_the_event_reader_knows() -> None:
    """A field missing from event_schema() would be dropped by convert without a word."""
    import re

    keys = ROOT / "host" / "include" / "shoprules" / "host" / "event_keys.hpp"
    known = set(re.findall(r'"([a-z_0-9]+)"', keys.read_text()))
    assert len(known) > 40
    schema = eventlog.event_schema()
    names = {f.name for f in schema}
    for f in schema:
        names |= _field_names(f.type)
    assert sorted(known - names) == []


def _hostile_lines(rng: random.Random) -> list[bytes]:
    """Good events among lines pyarrow's JSON reader and a line-at-a-time read may disagree on."""
    good = [json.dumps(e).encode() for e in _events(40, seed=11)]
    odd = [
        b"",
        b"   ",
        b"null",
        b" null",
        b"{}",
        b"{}{}",
        b"{} {}",
        b'{"id": "x"} null',
        b"[1]",
        b'"text"',
        b"true",
        b'{"id": "a", "id": "b"}',  # the last of duplicate keys wins in Python
        b'{"id": "\\ud800"}',  # a lone surrogate escape
        b'{"id": "caf\xc3\xa9"}',
        b'{"id": "bad \xff byte"}',
        b"\xef\xbb\xbf" + good[0],  # a byte order mark
        good[1].replace(b'"orders": ', b'"orders": 1e3, "x": ', 1),
        good[2].replace(b'"orders": ', b'"orders": 2.0, "x": ', 1),
        good[3] + b"\r",  # a carriage return ends a line in a text read
        good[4][:30] + b"\r" + good[4][30:],
        b'{"customer": {"orders": 9223372036854775808}}',
        b'{"customer": {"orders": -9223372036854775808}}',
        b'{"customer": {"tags": "not a list"}}',
        b'{"order": {"lines": [null, {}]}}',
        b'{"id": "a\\u0000b"}',
        b'{"unknown": {"deep": [1, {"x": null}]}}',
        b'{"at": "yesterday"}',  # left out with times as timestamps, kept with times as text
        b'{"customer": {"since": "2026-02-30T00:00:00Z", "orders": 1}}',
        b'{"customer": null, "order": {"delivered_at": "2026-11-23T10:00:00+01:00"}}',
        b'{"id": "\xc3(", "order": {"placed_at": null}}',  # bytes that are not UTF-8
        b'{"id": "\xed\xa0\x80 \xc0\xaf \xf4\x90\x80\x80"}',
        b'{"id": "a\x01b"}',  # a control character in a string
        b'{"x": NaN, "y": [1e999]}',
        b'{"shipment": {"needed_by": "2026-11-23"}}',
    ]
    lines = good + odd
    rng.shuffle(lines)
    return lines


def _convert_both_ways(src: Path, tmp_path: Path, monkeypatch, times: str) -> tuple[Any, Any]:
    fast = shoprules.convert(src, tmp_path / "fast.parquet", times=times)
    with monkeypatch.context() as m:
        m.setattr(eventlog, "_parse_block", lambda *args: None)  # a line at a time, as before
        slow = shoprules.convert(src, tmp_path / "slow.parquet", times=times)
    return (fast, pq.read_table(tmp_path / "fast.parquet")), (
        slow,
        pq.read_table(tmp_path / "slow.parquet"),
    )


@pytest.mark.parametrize("times", ["string", "timestamp"])
@pytest.mark.parametrize("block_rows", [3, 7, 65536])
def test_convert_reads_blocks_as_it_reads_lines(
    tmp_path: Path, monkeypatch, block_rows: int, times: str
) -> None:
    # Blocks of a few lines mix good and odd ones in every way; whatever a block holds, the rows
    # written, the lines counted and the lines left out are those of a line-at-a-time read.
    monkeypatch.setattr(eventlog, "BATCH_ROWS", block_rows)
    lines = _hostile_lines(random.Random(block_rows))
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    (fast, fast_rows), (slow, slow_rows) = _convert_both_ways(src, tmp_path, monkeypatch, times)
    assert fast == slow
    assert fast_rows.equals(slow_rows)
    assert fast["rows"] >= 40 and fast["bad_lines"] >= 10
    # A log of good lines only is read by pyarrow, block by block, to the same rows.
    calls = []
    real = eventlog._parse_block
    monkeypatch.setattr(eventlog, "_parse_block", lambda *a: calls.append(1) or real(*a))
    clean = tmp_path / "clean.jsonl"
    good = _events(50)
    clean.write_bytes(b"\n".join(json.dumps(e).encode() for e in good) + b"\n")
    result = shoprules.convert(clean, tmp_path / "clean.parquet", times=times)
    assert result == {"lines": 50, "rows": 50, "bad_lines": 0, "bad_examples": []}
    if times == "timestamp":
        for e in good:
            assert eventlog._times_as_timestamps(e) is None
    expected = _table(good, eventlog.event_schema(times))
    assert calls and pq.read_table(tmp_path / "clean.parquet").equals(expected)


FUZZ = """
import json, random, sys
from pathlib import Path
import pyarrow.parquet as pq
import shoprules
from shoprules import eventlog
sys.path.insert(0, sys.argv[2])
import make_events
tmp, rng = Path(sys.argv[1]), random.Random(int(sys.argv[3]))
eventlog.BATCH_ROWS = 3  # small blocks: many hold no mangled line and reach pyarrow whole
lines = []
for i in range(900):
    text = json.dumps(make_events.event(i, rng)).encode()
    while rng.random() < 0.3:  # cut, repeat or replace a piece of the line
        a, b = sorted(rng.randrange(len(text) + 1) for _ in range(2))
        piece = rng.choice([b"", b"null", b"[]", b"{}", b'"x"', b"-1", b"1.5", b"\\\\", b"\\xff",
                            b"\\xc3", b"\\r", b"\\t", b"\\\\ud800", text[a:b]])
        text = text[:a] + piece + text[b:]
    lines.append(text)
src = tmp / "fuzz.jsonl"
src.write_bytes(b"\\n".join(lines) + b"\\n")
real = eventlog._parse_block
read = []
def counted(*args):
    table = real(*args)
    read.append(table is not None)
    return table
for times in ("string", "timestamp"):
    eventlog._parse_block = counted
    fast = shoprules.convert(src, tmp / "fast.parquet", times=times)
    eventlog._parse_block = lambda *args: None
    slow = shoprules.convert(src, tmp / "slow.parquet", times=times)
    assert fast == slow, (times, fast, slow)
    assert pq.read_table(tmp / "fast.parquet").equals(pq.read_table(tmp / "slow.parquet"))
print(fast["rows"], fast["bad_lines"], sum(read), len(read) - sum(read))
"""


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_convert_of_mangled_lines_never_crashes_and_agrees(tmp_path: Path, seed: int) -> None:
    # In a child process: a crash of pyarrow's JSON reader would end it, not the test run.
    run = subprocess.run(
        [sys.executable, "-c", FUZZ, str(tmp_path), str(ROOT / "tests" / "bench"), str(seed)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    rows, bad, by_pyarrow, by_lines = map(int, run.stdout.split())
    assert rows > 0 and bad > 0
    assert by_pyarrow > 20 and by_lines > 20  # both ways of reading a block were taken, often


def test_convert_leaves_out_a_line_over_the_limit_without_holding_it(tmp_path: Path) -> None:
    events = _events(3)
    limit = shoprules._core.MAX_EVENT_LINE_BYTES
    long = json.dumps({**events[1], "note": "x" * limit})
    src = tmp_path / "long.jsonl"
    src.write_text("\n".join([json.dumps(events[0]), long, json.dumps(events[2])]) + "\n")
    result = shoprules.convert(src, tmp_path / "out.parquet")
    assert result == {
        "lines": 3,
        "rows": 2,
        "bad_lines": 1,
        "bad_examples": [{"line": 2, "error": f"longer than the limit of {limit} bytes"}],
    }
    assert pq.read_table(tmp_path / "out.parquet").equals(_table([events[0], events[2]]))
    # simulate says the same of the line: the Parquet log replays as the JSON lines do.
    report = shoprules.simulate(src, {})
    assert (report["events"], report["bad_lines"]) == (2, 1)
    assert report["bad_examples"][0]["error"] == f"longer than the limit of {limit} bytes"


def test_convert_leaves_out_a_lone_surrogate_as_simulate_does(tmp_path: Path) -> None:
    # Python's json reads "\ud800" into a string UTF-8 cannot hold; convert used to stop there.
    event = _events(1)[0]
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(event) + "\n" + json.dumps({**event, "id": "\ud800"}) + "\n")
    result = shoprules.convert(src, tmp_path / "out.parquet")
    assert result["rows"] == 1
    assert result["bad_examples"] == [
        {"line": 2, "error": "not valid JSON: a \\u escape of a lone surrogate"}
    ]
    report = shoprules.simulate(src, {})
    assert (report["events"], report["bad_lines"]) == (1, 1)
