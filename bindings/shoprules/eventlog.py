"""Event logs of any size: JSON lines (also .jsonl.gz) and Parquet, one file, a folder or a glob.

`simulate(source, config, against=None, ...)` replays them through the C++ host and returns the
report that `shoprules simulate --json` prints. Parquet files are read with pyarrow in record
batches that go to the C++ side through the Arrow C data interface, with no JSON in between
(`pip install shoprules[parquet]`). `convert` writes a Parquet log from JSON lines.
"""

from __future__ import annotations

import glob
import gzip
import io
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _core

EventLogError = _core.EventLogError

#: Rows per record batch read from Parquet (and per row group written by `convert`): what bounds
#: the memory of a replay, with the queue of 2 x threads + 2 batches between reader and workers.
BATCH_ROWS = 65536
#: `convert` reads a JSON-lines log in blocks of BATCH_ROWS lines or of this many bytes.
BLOCK_BYTES = 64 << 20
PARQUET_SUFFIXES = (".parquet", ".pq")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz")

Progress = Callable[[int, int, int], object]

#: With simulate(..., cache=True), Parquet logs stay in memory between replays in this process
#: (the console's repeated what-ifs on one log): their record batches and, once a replay has read
#: them, their rows as typed events, so the next replay reads nothing and only runs the rules.
#: Keyed by file, size and modification time, at most CACHE_BYTES in all (the batches' buffers and
#: the typed events: about 1 KB an event), the least recently used dropped first; a log larger
#: than that is read again each time. SHOPRULES_SIMULATE_CACHE_MB sets it.
_CACHE_MB = (os.environ.get("SHOPRULES_SIMULATE_CACHE_MB") or "1024").strip()  # empty: unset
_CACHE_MB_OK = _CACHE_MB.isascii() and _CACHE_MB.isdigit()
CACHE_BYTES = int(_CACHE_MB) << 20 if _CACHE_MB_OK else 0
#: What is wrong with SHOPRULES_SIMULATE_CACHE_MB, said when a replay would keep a log: a bad
#: value must not stop `import shoprules`, nor go unnoticed.
_CACHE_MB_PROBLEM = (
    None
    if _CACHE_MB_OK
    else f"SHOPRULES_SIMULATE_CACHE_MB is {_CACHE_MB!r}: expected a whole number of MiB "
    "(0 keeps nothing in memory)"
)
_cache: OrderedDict[tuple[Any, ...], list[tuple[Any, int, int]]] = OrderedDict()
_cache_lock = threading.Lock()

#: Footers of the Parquet files opened last, by file, size and modification time: a Dask worker
#: opens the same file once per row group, and a footer with hundreds of row groups takes
#: milliseconds to read and parse each time.
_FOOTERS_KEPT = 8
_footers: OrderedDict[tuple[str, int, int], Any] = OrderedDict()


def _entry_bytes(entry: list[tuple[Any, int, int]]) -> int:
    return sum(batch.nbytes for batch, _, _ in entry)


def cached_bytes() -> int:
    """Bytes the cache holds now: record batches and the typed events read from them."""
    with _cache_lock:
        return sum(_entry_bytes(entry) for entry in _cache.values())


def cached_events() -> int:
    """Rows the cache holds as typed events (read by a replay, not to be read again)."""
    with _cache_lock:
        return sum(batch.rows for e in _cache.values() for batch, _, _ in e if batch.read)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _trim_cache() -> None:
    """Drops the least recently used logs until the cache is within CACHE_BYTES (typed events
    are counted at their true size once a replay has read them)."""
    with _cache_lock:
        while _cache and sum(_entry_bytes(e) for e in _cache.values()) > CACHE_BYTES:
            _cache.popitem(last=False)


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise EventLogError(
            "reading Parquet needs pyarrow: pip install 'shoprules[parquet]'"
        ) from None
    return pyarrow


#: How `convert` may write an event's times: as the log's ISO-8601 text, or as UTC timestamps
#: (in milliseconds, Parquet's coarsest unit, of the whole seconds the host reads from the text),
#: which pyarrow decodes and the host reads faster.
TIMES = ("string", "timestamp")
#: Where an event has times, by section.
TIME_FIELDS = (
    ("at",),
    ("customer", "since"),
    ("customer", "last_order_at"),
    ("order", "placed_at"),
    ("order", "delivered_at"),
    ("shipment", "needed_by"),
)


def event_schema(times: str = "string") -> Any:
    """The Arrow schema of an event log: the event's JSON shape as nested Arrow types.

    Money and counts are int64. Times are ISO-8601 strings, or with times="timestamp" UTC
    timestamps in milliseconds (simulate reads either, and timestamps of any unit).
    """
    if times not in TIMES:
        raise ValueError(f"times: expected one of {', '.join(TIMES)}, got {times!r}")
    pa = _pyarrow()
    s, i, b = pa.string(), pa.int64(), pa.bool_()
    t = s if times == "string" else pa.timestamp("ms", tz="UTC")
    texts = pa.list_(s)

    def struct(*fields: tuple[str, Any]) -> Any:
        return pa.struct([pa.field(n, t) for n, t in fields])

    customer = struct(
        ("id", s),
        ("since", t),
        ("orders", i),
        ("lifetime_spend", i),
        ("returns", i),
        ("returned_value", i),
        ("tier", s),
        ("vip", b),
        ("points", i),
        ("household", texts),
        ("goodwill_last_90d", i),
        ("tags", texts),
        ("last_order_at", t),
        ("spend_12m", i),
    )
    order_line = struct(
        ("sku", s), ("category", s), ("price", i), ("qty", i), ("final_sale", b), ("size", s)
    )
    order = struct(
        ("id", s),
        ("placed_at", t),
        ("currency", s),
        ("shipping", s),
        ("delivered_at", t),
        ("lines", pa.list_(order_line)),
    )
    shipment = struct(("status", s), ("carrier_fault", b), ("days_late", i), ("needed_by", t))
    exchange = struct(("sku", s), ("size", s))
    return_line = struct(("sku", s), ("qty", i), ("reason", s), ("exchange_for", exchange))
    ret = struct(("lines", pa.list_(return_line)), ("refund_to", s), ("circumstances", texts))
    contact = struct(
        ("channel", s), ("topic", s), ("circumstances", texts), ("public", b), ("our_fault", b)
    )
    inquiry = struct(("sku", s), ("size", s), ("in_stock", b))
    return pa.schema(
        [
            pa.field("id", s),
            pa.field("type", s),
            pa.field("at", t),
            pa.field("store", s),
            pa.field("customer", customer),
            pa.field("order", order),
            pa.field("shipment", shipment),
            pa.field("return", ret),
            pa.field("contact", contact),
            pa.field("inquiry", inquiry),
        ]
    )


def is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(PARQUET_SUFFIXES)


def expand(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The files a source names: a file, a folder (its event logs, recursively) or a glob;
    or a list of those. Sorted as text, the order bad examples are sorted in (by file, then
    number), so the first ones quoted are the same in one process and on Dask."""
    if isinstance(source, (list, tuple)):
        return sorted({f for s in source for f in expand(s)}, key=str)  # each file once
    text = os.fspath(source)
    path = Path(text)
    if path.is_file():
        return [path]
    if path.is_dir():
        found = sorted(
            (
                p
                for p in path.rglob("*")
                if p.is_file() and p.name.lower().endswith(PARQUET_SUFFIXES + JSONL_SUFFIXES)
            ),
            key=str,
        )
        if not found:
            raise EventLogError(f"{text}: no event logs (.jsonl, .jsonl.gz, .parquet) in it")
        return found
    if glob.has_magic(text):
        found = sorted(
            (Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file()), key=str
        )
        if not found:
            raise EventLogError(f"{text}: no file matches")
        return found
    raise EventLogError(f"{text}: no such event log")


@dataclass(frozen=True)
class Part:
    """A piece of a replay: a whole file, or some row groups of a Parquet file."""

    file: str
    row_groups: tuple[int, ...] | None = None  # None: every row group
    first_row: int = 0  # the file's row number of the first row of the first row group
    bytes: int = 0  # its share of the file's size, for progress


def _open_parquet(file: str) -> Any:
    pa = _pyarrow()
    try:
        st = os.stat(file)
        key = (file, st.st_size, st.st_mtime_ns)
        with _cache_lock:
            footer = _footers.get(key)
            if footer is not None:
                _footers.move_to_end(key)
        # No pre-buffering: it would hold the compressed column chunks of every row group to
        # come, so memory would grow with the file instead of staying at a few batches.
        pf = pa.parquet.ParquetFile(file, metadata=footer, pre_buffer=False)
        if footer is None:
            with _cache_lock:
                _footers[key] = pf.metadata
                while len(_footers) > _FOOTERS_KEPT:
                    _footers.popitem(last=False)
        return pf
    except (pa.ArrowException, OSError, ValueError) as error:
        raise EventLogError(f"{file}: not a readable Parquet file ({error})") from None


def parts_of(files: Sequence[Path], split_row_groups: bool = False) -> list[Part]:
    """Parts of the files; with `split_row_groups`, one per Parquet row group. Every Parquet
    file's schema is checked here, before any event is evaluated."""
    parts = []
    for path in files:
        file = str(path)
        size = path.stat().st_size
        if not is_parquet(path):
            parts.append(Part(file, bytes=size))
            continue
        pf = _open_parquet(file)
        _core.check_arrow_schema(pf.schema_arrow, file)
        meta = pf.metadata
        if not split_row_groups or meta.num_row_groups <= 1:
            parts.append(Part(file, bytes=size))
            continue
        first = 0
        for g in range(meta.num_row_groups):
            rows = meta.row_group(g).num_rows
            share = size * rows // max(1, meta.num_rows)
            parts.append(Part(file, (g,), first, share))
            first += rows
    return parts


def _batches(part: Part, cache: bool = False) -> Iterator[tuple[Any, int, int]]:
    """(batch, first row, bytes) of a Parquet part, one record batch at a time. With `cache`,
    the batches are EventBatch objects, kept for the next replay of the same part."""
    key = None
    if cache and _CACHE_MB_PROBLEM:
        raise EventLogError(_CACHE_MB_PROBLEM)
    if cache and CACHE_BYTES > 0:
        st = os.stat(part.file)
        key = (part.file, st.st_size, st.st_mtime_ns, part.row_groups, part.first_row, BATCH_ROWS)
        with _cache_lock:
            hit = _cache.get(key)
            if hit:
                _cache.move_to_end(key)
        if hit:
            yield from hit
            return
    pa = _pyarrow()
    pf = _open_parquet(part.file)
    meta = pf.metadata
    groups = list(part.row_groups) if part.row_groups is not None else None
    rows = meta.num_rows if groups is None else sum(meta.row_group(g).num_rows for g in groups)
    row = part.first_row
    kept: list[tuple[Any, int, int]] | None = [] if key else None
    size = 0
    try:
        # On 2 cores the replay's workers keep both busy, and pyarrow's thread pool only adds
        # its own cost (about a third more CPU an event); with more cores, one decoding thread
        # could not keep up with the workers (about 1.4 million events a second here).
        threaded = (os.cpu_count() or 1) > 2
        for batch in pf.iter_batches(
            batch_size=BATCH_ROWS, row_groups=groups, use_threads=threaded
        ):
            n = batch.num_rows
            share = part.bytes * n // max(1, rows)
            if kept is not None:
                batch = _core.EventBatch(batch, part.file)
                size += batch.nbytes
                if size <= CACHE_BYTES:
                    kept.append((batch, row, share))
                else:
                    kept = None  # larger than the cache: read again next time
            yield batch, row, share
            row += n
    except (pa.ArrowException, OSError) as error:
        raise EventLogError(f"{part.file}: cannot read the Parquet file ({error})") from None
    if key and kept is not None:
        with _cache_lock:
            _cache[key] = kept


def run_parts(
    parts: Sequence[Part],
    name: str,
    config: Any = None,
    against: Any = None,
    *,
    plugin_dirs: Sequence[str | os.PathLike[str]] | None = None,
    threads: int = 0,
    progress: bool | Progress = False,
    label_cost: int = 0,
    pickup_cost: int = 0,
    upgrade_cost: int = 0,
    cache: bool = False,
) -> dict[str, Any]:
    """Replays `parts` in this process (C++ worker threads); the report's file is `name`."""
    sim = _core.Simulation(
        config,
        against,
        [Path(d) for d in plugin_dirs] if plugin_dirs else None,
        threads,
        progress,
        label_cost,
        pickup_cost,
        upgrade_cost,
    )
    sim.expect_bytes(sum(p.bytes for p in parts))
    try:
        for part in parts:
            if not is_parquet(Path(part.file)):
                sim.add_jsonl(Path(part.file))
                continue
            for batch, first_row, share in _batches(part, cache):
                sim.add_arrow(batch, part.file, first_row, share)
    except BaseException:
        sim.cancel()
        raise
    try:
        return sim.finish(name)
    finally:
        if cache:
            _trim_cache()  # the typed events the replay read now count at their true size


def simulate(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    config: Any = None,
    against: Any = None,
    *,
    plugin_dirs: Sequence[str | os.PathLike[str]] | None = None,
    threads: int = 0,
    progress: bool | Progress = False,
    label_cost: int = 0,
    pickup_cost: int = 0,
    upgrade_cost: int = 0,
    cache: bool = False,
) -> dict[str, Any]:
    """Replays event logs through `config` (and `against`, to compare) and returns the report
    that `shoprules simulate --json` prints.

    source: a JSON-lines file (.jsonl, .jsonl.gz), a Parquet file, a folder or a glob.
    config, against: a path, a config store URL (its version in force, read once), a dict or
    None (the defaults).
    progress: True draws a bar on stderr; a callable progress(done_bytes, total_bytes, lines) is
    called about every 100 ms and at the end, and raising from it cancels the replay. Ctrl-C
    cancels it too, within a moment: KeyboardInterrupt.
    cache: keep Parquet logs in memory for the next replay of the same file (see CACHE_BYTES).
    Raises EventLogError for a log that cannot be read (one line naming the file, and the column
    for a Parquet column of the wrong type); bad lines and rows are counted, never fatal.
    """
    files = expand(source)
    parts = parts_of(files)
    config, against = store_version(config), store_version(against)
    name = (
        ", ".join(os.fspath(s) for s in source)
        if isinstance(source, (list, tuple))
        else os.fspath(source)
    )
    return run_parts(
        parts,
        name,
        config,
        against,
        plugin_dirs=plugin_dirs,
        threads=threads,
        progress=progress,
        label_cost=label_cost,
        pickup_cost=pickup_cost,
        upgrade_cost=upgrade_cost,
        cache=cache,
    )


def store_version(config: Any) -> Any:
    """A config store URL's version in force, read once, as a dict; any other config as is.
    A replay then decides every event by that one version."""
    from .configs import is_store_url, open_source

    if not is_store_url(config):
        return config
    source = open_source(config)
    try:
        return source.in_force().config
    finally:
        source.close()


def _open_binary(path: Path) -> Any:
    """The log's bytes, unpacked if it is gzip (its lines end at a newline only)."""
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def _parse_block(pa: Any, block: list[bytes], schema: Any) -> Any:
    """The block's lines as a table by pyarrow's JSON reader, or None when the block needs a line
    at a time: a line that is not a JSON object of the event's shape (pyarrow refuses every line
    the line-at-a-time read leaves out, and more: an object with a duplicate key, of which that
    read takes the last), bytes that are not UTF-8 (which pyarrow keeps as they are, where that read
    replaces them), or a carriage return, which ends a line when a text file is read."""
    import pyarrow.json as pj

    data = b"".join(block)
    if b"\r" in data:
        return None
    if not data.isascii():  # pyarrow takes bytes that are not UTF-8 into its strings as they are
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    events = 0
    for line in block:
        if text := line.strip():
            # An object per line, or a line at a time: pyarrow 26 crashes on a log that starts
            # with a bare `null`, and reads two rows from `{}{}`.
            if text[:1] != b"{" or text[-1:] != b"}":
                return None
            events += 1
    if not events:
        return pa.Table.from_pylist([], schema=schema)
    try:
        table = pj.read_json(
            io.BytesIO(data),
            # Blocks of whole lines (a line is at most MAX_EVENT_LINE_BYTES), read in parallel.
            read_options=pj.ReadOptions(block_size=2 * _core.MAX_EVENT_LINE_BYTES + 2),
            parse_options=pj.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="ignore"
            ),
        )
    except pa.ArrowException:  # ArrowInvalid, mostly: the block is read a line at a time
        return None
    if table.num_rows != events or table.schema != schema:
        return None
    return table


def _stamped(pa: Any, table: Any, schema: Any) -> Any:
    """The table (times as text) with its TIME_FIELDS as the timestamps `_times_as_timestamps`
    writes, or None if a time is not one the host can read (a line at a time then says which)."""
    stamp = pa.timestamp("ms", tz="UTC")

    def stamps(text: Any, valid: list[bool] | None) -> Any:
        out = []
        for i, value in enumerate(text.to_pylist()):
            if value is None or (valid is not None and not valid[i]):
                out.append(None)
                continue
            seconds = _core._parse_time(value)
            if seconds is None:
                raise LookupError
            out.append(seconds * 1000)
        return pa.array(out, type=stamp)

    columns = {name: table.column(name).combine_chunks() for name in table.column_names}
    sections: dict[str, list[str]] = {}
    for path in TIME_FIELDS:
        sections.setdefault(path[0], []).extend(path[1:])
    try:
        for section, fields in sections.items():
            if not fields:  # a time at the top: `at`
                columns[section] = stamps(columns[section], None)
                continue
            struct = columns[section]
            valid = struct.is_valid().to_pylist()
            children = [struct.field(i) for i in range(struct.type.num_fields)]
            for field in fields:
                at = struct.type.get_field_index(field)
                children[at] = stamps(children[at], valid)
            columns[section] = pa.StructArray.from_arrays(
                children,
                fields=list(schema.field(section).type),
                mask=struct.is_null() if struct.null_count else None,
            )
    except LookupError:
        return None
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def _lone_surrogate(event: dict[str, Any]) -> bool:
    """Whether a string of the event (a key too) holds half of a surrogate pair, which a `\\ud800`
    escape gives and UTF-8 cannot hold (simulate refuses such a line as not valid JSON)."""
    try:
        json.dumps(event, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _checker(kind: Any) -> Callable[[Any], bool]:
    """A check that a JSON value has the Arrow type's shape exactly (pyarrow alone would turn
    1.0 into 1 and a string into a list of its characters); None fits any type."""
    pa = _pyarrow()
    if pa.types.is_struct(kind):
        fields = [(f.name, _checker(f.type)) for f in kind]

        def struct(v: Any) -> bool:
            if v is None:
                return True
            if type(v) is not dict:
                return False
            return all(check(v.get(name)) for name, check in fields)

        return struct
    if pa.types.is_list(kind):
        item = _checker(kind.value_type)
        return lambda v: v is None or (type(v) is list and all(map(item, v)))
    if pa.types.is_string(kind):
        return lambda v: v is None or type(v) is str
    if pa.types.is_boolean(kind):
        return lambda v: v is None or type(v) is bool
    return lambda v: v is None or (type(v) is int and -(2**63) <= v < 2**63)


def _times_as_timestamps(event: dict[str, Any]) -> str | None:
    """Replaces the event's ISO-8601 times by their milliseconds since the epoch, of the whole
    seconds the host reads from them; the problem with the first time it cannot read, or None."""
    for path in TIME_FIELDS:
        where: Any = event
        for key in path[:-1]:
            where = where.get(key)
            if type(where) is not dict:
                break
        else:
            text = where.get(path[-1])
            if text is None:
                continue
            seconds = _core._parse_time(text)
            if seconds is None:
                shown = json.dumps(text, ensure_ascii=False)
                shown = shown if len(shown) <= 60 else shown[:56] + '..."'
                return (
                    f"{'.'.join(path)}: expected an ISO-8601 time such as "
                    f"2026-11-23T10:00:00Z, got {shown}"
                )
            where[path[-1]] = seconds * 1000
    return None


def convert(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    times: str = "string",
    bad_lines_listed: int = 20,
) -> dict[str, Any]:
    """Writes the JSON-lines log `src` (plain or gzip) as a Parquet log `dst`, streaming: blocks
    of BATCH_ROWS lines (at most BLOCK_BYTES), one row group of BATCH_ROWS rows at a time, so
    memory is bounded by that, not by the log. A block is read by pyarrow's JSON reader when it
    can be (_parse_block), else a line at a time; the result is the same.

    A line that is not a JSON object of the event's shape (not JSON, a string where a number
    goes) is left out, counted and quoted; an event of the right shape that the host would
    refuse (a required field missing) is kept, and is a bad row when simulated, as it was a bad
    line. times="timestamp" writes times as UTC timestamps, read from the text as the host reads
    it (a replay of the file is then faster, and decides the same): a line with a
    time the host cannot read is then left out too, and quoted. A line longer than
    MAX_EVENT_LINE_BYTES is left out unread, as simulate leaves it out. Nothing is written unless
    the whole log was read: the file appears at the end.
    Returns {lines, rows, bad_lines, bad_examples: [{line, error}]}."""
    pa = _pyarrow()
    schema, text_schema = event_schema(times), event_schema()
    fits = _checker(pa.struct(list(text_schema)))  # the JSON shape: times as text
    timestamps = times == "timestamp"
    src_path, dst_path = Path(src), Path(dst)
    if not src_path.is_file():
        raise EventLogError(f"{src_path}: no such event log")
    # simulate tells a log's format by its name: Parquet under another name would be read as JSON
    # lines. And the file written replaces `dst`: it must not be the log being read.
    if not is_parquet(dst_path):
        raise EventLogError(f"{dst_path}: a Parquet log's name ends in .parquet or .pq")
    if dst_path.exists() and os.path.samefile(src_path, dst_path):
        raise EventLogError(f"{dst_path}: is the log being converted; name another file")
    tmp = dst_path.with_name(f".{dst_path.name}.{os.getpid()}.tmp")
    lines = rows = bad = 0
    examples: list[dict[str, Any]] = []
    pending: list[Any] = []  # tables of rows read, not yet written
    pending_rows = 0

    def reject(line_no: int, error: str) -> None:
        nonlocal bad
        bad += 1
        if len(examples) < bad_lines_listed:
            examples.append({"line": line_no, "error": error})

    def events_of(block: list[bytes]) -> Any:
        """The block's events as a table, its lines counted and its bad lines rejected."""
        nonlocal lines
        table = _parse_block(pa, block, text_schema)
        if table is not None and timestamps:
            table = _stamped(pa, table, schema)
        if table is not None:
            lines += len(block)
            return table
        events = []
        # As a text file reads them: UTF-8 with bad bytes replaced, \r and \r\n ending lines too.
        text = io.StringIO(b"".join(block).decode("utf-8", errors="replace"), newline=None)
        for line in text:
            lines += 1
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError as error:
                reject(lines, f"not valid JSON: {error}")
                continue
            if type(event) is not dict:
                reject(lines, "expected an event object")
                continue
            if not fits(event):
                reject(lines, "a field of another type than the event's")
                continue
            if "\\u" in line and _lone_surrogate(event):  # no UTF-8 for it: pyarrow would throw
                reject(lines, "not valid JSON: a \\u escape of a lone surrogate")
                continue
            if timestamps and (problem := _times_as_timestamps(event)):
                reject(lines, problem)
                continue
            events.append(event)
        return pa.Table.from_pylist(events, schema=schema)

    writer = pa.parquet.ParquetWriter(tmp, schema, compression="zstd")
    try:

        def write(final: bool) -> None:
            """Writes the rows read in row groups of BATCH_ROWS; the last may be smaller."""
            nonlocal rows, pending_rows
            if not pending_rows or (pending_rows < BATCH_ROWS and not final):
                return
            table = pa.concat_tables(pending)
            whole = pending_rows if final else pending_rows - pending_rows % BATCH_ROWS
            writer.write_table(table.slice(0, whole), row_group_size=BATCH_ROWS)
            rows += whole
            pending.clear()
            pending_rows -= whole
            if pending_rows:
                pending.append(table.slice(whole))

        def take(block: list[bytes]) -> None:
            nonlocal pending_rows
            table = events_of(block)
            pending.append(table)
            pending_rows += table.num_rows
            write(final=False)

        limit = _core.MAX_EVENT_LINE_BYTES
        with _open_binary(src_path) as raw:
            try:
                block: list[bytes] = []
                size = 0
                # A line, its \n and a byte more: a longer line is never held whole.
                while line := raw.readline(limit + 2):
                    if len(line) > limit + 1 or (len(line) == limit + 1 and line[-1:] != b"\n"):
                        take(block)  # the lines before it are counted first
                        block, size = [], 0
                        while line[-1:] != b"\n" and (line := raw.readline(1 << 20)):
                            pass
                        lines += 1
                        reject(lines, f"longer than the limit of {limit} bytes")
                        continue
                    block.append(line)
                    size += len(line)
                    if len(block) == BATCH_ROWS or size >= BLOCK_BYTES:
                        take(block)
                        block, size = [], 0
                take(block)
            except (OSError, EOFError) as error:
                raise EventLogError(f"{src_path}: cannot read the event log ({error})") from None
        write(final=True)
        writer.close()
        os.replace(tmp, dst_path)
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    return {"lines": lines, "rows": rows, "bad_lines": bad, "bad_examples": examples}
