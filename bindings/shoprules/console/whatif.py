"""What-if runs: `eventlog.simulate` of a proposed config against the one in force, on a thread of
the console's process, with progress the page polls and a cancel that stops it promptly. Parquet
logs stay in memory as typed events between what-ifs (eventlog's cache)."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import eventlog


class Cancelled(Exception):
    """Raised from the progress callback to stop a simulation the operator cancelled."""


@dataclass
class Job:
    id: str
    log: str
    operator: str
    proposed: dict[str, Any]
    in_force: dict[str, Any]
    in_force_version: int
    costs: tuple[int, int, int]
    state: str = "running"  # running | done | cancelled | failed
    done_bytes: int = 0
    total_bytes: int = 0
    events: int = 0
    started: float = field(default_factory=time.monotonic)
    first_progress: float | None = None  # seconds from the start to the first progress report
    seconds: float | None = None
    error: str = ""
    result: dict[str, Any] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def status(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "log": self.log,
            "done_bytes": self.done_bytes,
            "total_bytes": self.total_bytes,
            "events": self.events,
            "fraction": (self.done_bytes / self.total_bytes) if self.total_bytes else 0.0,
            "error": self.error,
        }


class Busy(Exception):
    """A what-if is already running: one at a time, the machine's cores go to it."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"what-if {job.id} is still running")
        self.job = job


class Runner:
    """Starts what-ifs one at a time and keeps the last KEEP of them."""

    KEEP = 20

    def __init__(self, plugin_dirs: list[str] | None = None, threads: int = 0) -> None:
        self._plugin_dirs = plugin_dirs
        self._threads = threads
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        with self._lock:
            return list(reversed(self._jobs.values()))

    def start(
        self,
        log: Path,
        proposed: dict[str, Any],
        in_force: dict[str, Any],
        in_force_version: int,
        operator: str,
        costs: tuple[int, int, int] = (0, 0, 0),
    ) -> Job:
        with self._lock:
            running = [j for j in self._jobs.values() if j.state == "running"]
            if running:
                raise Busy(running[0])
            job = Job(
                id=str(next(self._ids)),
                log=log.name,
                operator=operator,
                proposed=proposed,
                in_force=in_force,
                in_force_version=in_force_version,
                costs=costs,
                total_bytes=log.stat().st_size,
            )
            self._jobs[job.id] = job
            while len(self._jobs) > self.KEEP:
                del self._jobs[next(iter(self._jobs))]
        thread = threading.Thread(
            target=self._run, args=(job, log), name=f"shoprules-whatif-{job.id}", daemon=True
        )
        thread.start()
        return job

    def _run(self, job: Job, log: Path) -> None:
        def progress(done_bytes: int, total_bytes: int, events: int) -> None:
            if job.first_progress is None:
                job.first_progress = time.monotonic() - job.started
            job.done_bytes, job.total_bytes, job.events = done_bytes, total_bytes, events
            if job.cancel.is_set():
                raise Cancelled

        try:
            label, pickup, upgrade = job.costs
            result = eventlog.simulate(
                log,
                job.proposed,
                job.in_force,
                plugin_dirs=self._plugin_dirs,
                threads=self._threads,
                progress=progress,
                label_cost=label,
                pickup_cost=pickup,
                upgrade_cost=upgrade,
                cache=True,
            )
        except Cancelled:
            job.state = "cancelled"
        except Exception as error:  # a config the core refuses, an unreadable log
            job.error = str(error)
            job.state = "failed"
        else:  # the result before the state: a page that reads "done" then reads the result
            job.result = result
            job.events = result["events"]
            job.done_bytes = job.total_bytes
            job.state = "done"
        finally:
            job.seconds = time.monotonic() - job.started
            job.finished.set()

    def cancel(self, job_id: str) -> Job | None:
        job = self.get(job_id)
        if job is not None:
            job.cancel.set()
        return job
