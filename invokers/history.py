"""Recorded invocations, kept across sessions under the project's ``.svl/history/``.

Every invocation the engine runs (``svl-tui invoke``, the UI, ``serve``, local or
deployed) is appended here by ``Engine.invoke``, the one place Results pass
headless. Stats (``invokers.metrics``), the metrics view and the export of a run
as a test read it back with ``load``.

Layout, per function (``function_key``: ``name``, or ``aws:name`` for a deployed one;
unsafe characters %-quoted in the file name):

- ``<key>.jsonl``: one JSON line of figures per run (status, cold, init, duration,
  billed, memory, cost, request id, time): small, so 10,000 runs load in milliseconds.
- ``<key>.payloads.jsonl``: one JSON line per run with its event and its response or
  error, each capped at ``PAYLOAD_CAP`` bytes of JSON (a larger one is kept as a
  truncated preview, and the run says so).

Bounded on disk: when a file would pass its limit (``FIGURES_LIMIT``,
``PAYLOADS_LIMIT``) it becomes ``<file>.1`` (replacing the previous one) and a new
file starts, so a function never holds more than twice the limits; the oldest runs
go first, payloads sooner than figures (a run whose payload has gone keeps its
figures, with ``event`` None and ``payload_kept`` False).

Appends are atomic and locked, so a UI, a ``serve`` and a CLI of the same project can
record at once (``history_files.py``); a line left half-written by a crash is skipped when
loading, with a warning. What a line holds and what is masked before writing (secrets never
reach the disk) is ``history_format.py``; the engine's writer thread is ``history_writer.py``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .history_files import append, read_lines
from .history_format import encode_run, file_stem, request_id_of
from .history_writer import WRITER
from .models import FunctionSpec, Result

log = logging.getLogger("svl.history")

FOLDER = Path(".svl") / "history"
FIGURES_LIMIT = 4 * 1024 * 1024
"""Bytes of figures per file before rotation: about 20,000 runs (a run's line is ~190 bytes)."""
PAYLOADS_LIMIT = 16 * 1024 * 1024
"""Bytes of events and responses per file before rotation."""
PAYLOAD_CAP = 64 * 1024
"""An event, response or error whose JSON is longer is kept as a preview of this many characters."""


@dataclass
class Recorded:
    """One recorded invocation: what ``svl-tui stats``, the metrics view and test export read.

    ``source`` is ``local`` or ``deployed``; ``timestamp`` is the start (epoch seconds);
    ``response`` is set when ``status`` is ``ok``, ``error`` (Lambda's payload) otherwise.
    """

    function: str
    request_id: str
    timestamp: float
    status: str
    cold: bool
    init_ms: float | None
    duration_ms: float
    billed_ms: int
    max_memory_mb: int
    memory_mb: int
    cost: float
    source: str = "local"
    event: Any = None
    response: Any = None
    error: dict[str, Any] | None = None
    payload_kept: bool = False
    """False when the event/response are not on disk any more (rotated away) or were not loaded."""
    truncated: list[str] = field(default_factory=list)
    """Which of ``event``, ``response``, ``error`` were over ``PAYLOAD_CAP`` and are kept as a preview."""
    architecture: str = "x86_64"
    region: str = ""
    error_type: str = ""
    """Lambda's ``errorType`` of a failed run (its status when it has none), kept with the figures; empty on success."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class History:
    """The history store of one project (``<project>/.svl/history``), or of any folder given."""

    def __init__(self, folder: Path, *, figures_limit: int = FIGURES_LIMIT, payloads_limit: int = PAYLOADS_LIMIT,
                 payload_cap: int = PAYLOAD_CAP) -> None:
        self.folder = folder
        self.figures_limit = figures_limit
        self.payloads_limit = payloads_limit
        self.payload_cap = payload_cap
        self.problems: list[str] = []
        """What ``load`` skipped (corrupt lines), to show to the user; also logged on ``svl.history``."""

    @classmethod
    def for_project(cls, project: Path | str, *, example: bool = False) -> History:
        """``<project>/.svl/history``; the bundled example project (installed with svl-tui, maybe read-only)
        keeps its history in svl-tui's cache folder instead."""
        if example:
            from .paths import cache_dir

            return cls(cache_dir() / "example-history")
        return cls(Path(project) / FOLDER)

    # ---- writing -----------------------------------------------------------------

    def record(self, result: Result, event: Any, spec: FunctionSpec) -> None:
        """Append one invocation (payload first, then figures: a run is loaded only once its figures are in).

        Never raises for a disk problem: losing a history line must not fail the invocation; it is logged.
        """
        WRITER.flush()  # after the runs queued before it
        lines = self.encoded(result, event, spec)
        if lines is None:
            return
        payloads, figures, payload_line, figures_line = lines
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            append(payloads, payload_line, self.payloads_limit)
            append(figures, figures_line, self.figures_limit)
        except OSError as exc:
            log.warning("could not record %s in %s: %s", result.request_id, self.folder, exc)

    def record_soon(self, result: Result, event: Any, spec: FunctionSpec) -> None:
        """``record``, done by a writer thread: the engine's loop does not wait for masking, encoding and
        the locked appends, and runs that finish together are written together (one append per file).

        Runs are written in the order given. Reading (``load``, ``functions``), ``Engine.close`` and
        the headless exit wait for what is queued (``flush``); at most ``PENDING_LIMIT`` runs wait, after
        that this blocks until the writer catches up. The caller must not change ``result`` or ``event``
        afterwards.
        """
        WRITER.put(self, result, event, spec)

    @staticmethod
    def flush() -> None:
        """Wait until every run given to ``record_soon`` (by any History of this process) is written."""
        WRITER.flush()

    def encoded(self, result: Result, event: Any, spec: FunctionSpec) -> tuple[Path, Path, bytes, bytes] | None:
        """The run's payload and figures files, and their lines (masked, capped); None if it cannot be encoded."""
        run = encode_run(result, event, spec, self.payload_cap)
        if run is None:
            return None
        stem, payload_line, figures_line = run
        return self.folder / f"{stem}.payloads.jsonl", self.folder / f"{stem}.jsonl", payload_line, figures_line

    # ---- reading -----------------------------------------------------------------

    def functions(self) -> list[str]:
        """The function keys with a recorded run."""
        from urllib.parse import unquote

        WRITER.flush()
        if not self.folder.is_dir():
            return []
        names = {unquote(path.name[:-len(".jsonl")]) for path in self.folder.glob("*.jsonl")
                 if not path.name.endswith(".payloads.jsonl")}
        names |= {unquote(path.name[:-len(".jsonl.1")]) for path in self.folder.glob("*.jsonl.1")
                  if not path.name.endswith(".payloads.jsonl.1")}
        return sorted(names)

    def load(self, function: str, limit: int | None = None, *, payloads: bool = True) -> list[Recorded]:
        """The recorded runs of ``function`` (a ``function_key``), oldest first; the last ``limit`` when given.

        ``payloads=False`` skips events and responses (what metrics need: much faster).
        """
        WRITER.flush()
        stem = file_stem(function)
        base = self.folder / f"{stem}.jsonl"
        lines = read_lines(base)
        try:  # fast path: every line good, parsed in one call (10,000 runs in a few milliseconds)
            rows = json.loads("[" + ",".join(text for _, _, text in lines) + "]")
            records = [_figures(function, data) for data in rows]
        except (ValueError, KeyError, TypeError, AttributeError):
            records = []
            for part, number, line in lines:  # a bad line somewhere: one at a time, skipping (and naming) it
                try:
                    records.append(_figures(function, json.loads(line), strict=True))
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    self._skip(part, number, exc)
        if limit is not None:
            records = records[-limit:] if limit > 0 else []
        if payloads and records:
            self._attach_payloads(self.folder / f"{stem}.payloads.jsonl", records)
        return records

    def _attach_payloads(self, path: Path, records: list[Recorded]) -> None:
        """Fill event/response/error of ``records`` from the payload files, parsing only the lines they need."""
        wanted = {record.request_id: record for record in records}
        for part, number, line in reversed(read_lines(path)):  # payloads are in the same order: the newest are last
            if not wanted:
                return
            request_id = request_id_of(line)
            if request_id is None or request_id not in wanted:
                if request_id is None:
                    self._skip(part, number, ValueError("no request_id"))
                continue
            try:
                data = json.loads(line)
            except ValueError as exc:
                self._skip(part, number, exc)
                continue
            record = wanted.pop(request_id)
            record.event, record.response, record.error = data.get("event"), data.get("response"), data.get("error")
            record.truncated = list(data.get("truncated") or [])
            record.payload_kept = True

    def _skip(self, part: Path, number: int, exc: Exception) -> None:
        why = f"no field {exc}" if isinstance(exc, KeyError) else str(exc)
        problem = f"{part}:{number}: skipped a corrupt history line ({why})"
        self.problems.append(problem)
        log.warning("%s", problem)


def _figures(function: str, data: dict[str, Any], *, strict: bool = False) -> Recorded:
    """A figures line as a Recorded run; ``strict`` checks every field's type (the slow path for bad files)."""
    if strict:
        init = data.get("init_ms")
        return Recorded(
            function=function, request_id=str(data["request_id"]), timestamp=float(data["timestamp"]),
            status=str(data["status"]), cold=bool(data["cold"]), init_ms=None if init is None else float(init),
            duration_ms=float(data["duration_ms"]), billed_ms=int(data["billed_ms"]),
            max_memory_mb=int(data["max_memory_mb"]), memory_mb=int(data["memory_mb"]), cost=float(data["cost"]),
            source=str(data.get("source", "local")), architecture=str(data.get("architecture", "x86_64")),
            region=str(data.get("region", "")), error_type=str(data.get("error_type", "")))
    record = Recorded(function, data["request_id"], data["timestamp"], data["status"], data["cold"],
                      data.get("init_ms"), data["duration_ms"], data["billed_ms"], data["max_memory_mb"],
                      data["memory_mb"], data["cost"], data.get("source", "local"),
                      architecture=data.get("architecture", "x86_64"), region=data.get("region", ""),
                      error_type=data.get("error_type", ""))
    if not (isinstance(record.timestamp, (int, float)) and isinstance(record.duration_ms, (int, float))
            and isinstance(record.request_id, str)):
        raise TypeError("a field has the wrong type")
    return record


def record(result: Result, event: Any, spec: FunctionSpec, project: Path | str) -> None:
    """Append one invocation to ``project``'s history (see ``History.record``)."""
    History.for_project(project).record(result, event, spec)


def load(function: str, limit: int | None = None, *, project: Path | str, payloads: bool = True) -> list[Recorded]:
    """The recorded runs of ``function`` in ``project``, oldest first (see ``History.load``)."""
    return History.for_project(project).load(function, limit, payloads=payloads)
