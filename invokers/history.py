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

Appends are atomic: one ``write`` of a whole line on a file opened ``O_APPEND``,
under an advisory lock (``flock``, where the OS has it) that also covers rotation,
so a UI, a ``serve`` and a CLI of the same project can record at once. A line
left half-written by a crash is skipped when loading, with a warning; the next
append starts on a fresh line.

Secrets are never written unmasked: string values under secret-sounding keys
(``environment.mask_value``: ``Authorization``, ``password``, ``apiKey`` ...),
credentials in URLs, and the function's own secret environment values wherever
they appear (a handler that echoes its token) are masked before writing. AWS
event fields that only sound secret (an S3 object's ``key``, a Kinesis
``partitionKey``) are identifiers and kept.
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .environment import MASK, looks_secret, mask_url_credentials
from .jsonout import dumps
from .models import FunctionSpec, Result, function_key

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: appends stay atomic, rotation is not locked
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("svl.history")

FOLDER = Path(".svl") / "history"
FIGURES_LIMIT = 4 * 1024 * 1024
"""Bytes of figures per file before rotation: about 20,000 runs (a run's line is ~190 bytes)."""
PAYLOADS_LIMIT = 16 * 1024 * 1024
"""Bytes of events and responses per file before rotation."""
PAYLOAD_CAP = 64 * 1024
"""An event, response or error whose JSON is longer is kept as a preview of this many characters."""

IDENTIFIER_KEYS = frozenset({"key", "partitionkey", "keys", "sortkey", "objectkey", "newkeys", "oldkeys",
                             "sequencenumber", "md5ofbody", "md5ofmessageattributes"})
"""Keys of AWS event shapes that sound secret to ``looks_secret`` but name data (S3 ``key``, Kinesis
``partitionKey``, DynamoDB ``Keys``): masking them would break the event a run is replayed with."""


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
        _WRITER.flush()  # after the runs queued before it
        lines = self._lines(result, event, spec)
        if lines is None:
            return
        payloads, figures, payload_line, figures_line = lines
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _append(payloads, payload_line, self.payloads_limit)
            _append(figures, figures_line, self.figures_limit)
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
        _WRITER.put(self, result, event, spec)

    @staticmethod
    def flush() -> None:
        """Wait until every run given to ``record_soon`` (by any History of this process) is written."""
        _WRITER.flush()

    def _lines(self, result: Result, event: Any, spec: FunctionSpec) -> tuple[Path, Path, bytes, bytes] | None:
        """The run's payload and figures files, and their lines (masked, capped); None if it cannot be encoded."""
        key = function_key(spec)
        if isinstance(event, (bytes, bytearray)):  # raw bytes sent to test unmarshalling: kept as text
            event = bytes(event).decode("utf-8", "replace")
        secrets = _secret_values(spec.environment)
        parts = [f'{{"request_id":{_compact(result.request_id)}']
        truncated: list[str] = []
        try:
            for name, value in (("event", event), ("response", result.response), ("error", result.error)):
                if value is not None:
                    text, cut = self._capped(value, secrets)
                    parts.append(f',"{name}":{text}')
                    if cut:
                        truncated.append(name)
        except (TypeError, ValueError) as exc:  # pragma: no cover - events and responses are JSON values
            log.warning("could not record %s: %s", result.request_id, exc)
            return None
        parts.append(f',"truncated":{_compact(truncated)}}}\n')
        payload_line = "".join(parts).encode("utf-8", "surrogatepass")
        figures = {
            "request_id": result.request_id, "timestamp": result.started_at, "status": result.status,
            "cold": result.cold, "init_ms": result.init_ms, "duration_ms": result.duration_ms,
            "billed_ms": result.billed_ms, "max_memory_mb": result.max_memory_mb, "memory_mb": result.memory_mb,
            "cost": result.cost_usd, "source": "local" if spec.is_local else "deployed",
            "architecture": spec.architecture, "region": spec.region,
            "error_type": error_type_of(result.status, result.error),
        }
        for name, default in _DEFAULTS.items():  # smaller lines load faster: defaults are left out
            if figures[name] == default:
                del figures[name]
        figures_line = _line(figures)
        stem = _file_stem(key)
        return self.folder / f"{stem}.payloads.jsonl", self.folder / f"{stem}.jsonl", payload_line, figures_line

    def _capped(self, value: Any, secrets: list[str]) -> tuple[str, bool]:
        """``value`` masked, as compact JSON; over ``payload_cap`` characters, a truncated preview in its place."""
        text = _compact(_masked(value, secrets))
        if len(text) <= self.payload_cap:
            return text, False
        return _compact({"svl_truncated": True, "length": len(text), "preview": text[:self.payload_cap]}), True

    # ---- reading -----------------------------------------------------------------

    def functions(self) -> list[str]:
        """The function keys with a recorded run."""
        from urllib.parse import unquote

        _WRITER.flush()
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
        _WRITER.flush()
        stem = _file_stem(function)
        base = self.folder / f"{stem}.jsonl"
        lines = _lines(base)
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
        for part, number, line in reversed(_lines(path)):  # payloads are in the same order: the newest are last
            if not wanted:
                return
            request_id = _request_id_of(line)
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


_DEFAULTS: dict[str, Any] = {"init_ms": None, "source": "local", "architecture": "x86_64", "region": "",
                             "error_type": ""}
"""Figures a line leaves out when they have these values (``load`` puts them back)."""


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


def error_type_of(status: str, error: dict[str, Any] | None) -> str:
    """Lambda's ``errorType`` of a failed run, else its status (``timeout``); empty for a success."""
    if status == "ok":
        return ""
    return str((error or {}).get("errorType") or status)


def record(result: Result, event: Any, spec: FunctionSpec, project: Path | str) -> None:
    """Append one invocation to ``project``'s history (see ``History.record``)."""
    History.for_project(project).record(result, event, spec)


def load(function: str, limit: int | None = None, *, project: Path | str, payloads: bool = True) -> list[Recorded]:
    """The recorded runs of ``function`` in ``project``, oldest first (see ``History.load``)."""
    return History.for_project(project).load(function, limit, payloads=payloads)


# ---- the writer thread ---------------------------------------------------------------

PENDING_LIMIT = 10_000
"""Runs queued by ``record_soon`` at most; beyond, the caller waits for the writer (memory stays bounded)."""
GATHER_S = 0.01
"""The writer's pause after each batch, so a busy engine hands it runs in batches (flush does not wait for it)."""
GROUP_FRACTION = 8
"""Lines appended to a file at once stay under its limit / this, so rotation keeps files near their limits."""


class _Writer:
    """One thread for the whole process: takes queued runs in order and appends whatever has gathered."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[History, Result, Any, FunctionSpec]] = queue.Queue(PENDING_LIMIT)
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def put(self, history: History, result: Result, event: Any, spec: FunctionSpec) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="svl-history", daemon=True)
                    self._thread.start()
                    atexit.register(self.flush)  # a normal exit (the UI's) writes what is queued first
        self._queue.put((history, result, event, spec))

    def flush(self) -> None:
        if self._thread is not None:
            self._queue.join()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < 512:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                _write(batch)
            except Exception:  # the writer must outlive any one bad run
                log.exception("could not record %d runs", len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()
            time.sleep(GATHER_S)  # let the next runs gather: one wake-up per batch, not one per run


def _write(batch: list[tuple[History, Result, Any, FunctionSpec]]) -> None:
    """Append a batch of runs: every payload line first, then the figures (a run is loaded only once its
    figures are in), each file's lines in groups (one locked append each)."""
    payloads: dict[Path, tuple[int, list[bytes]]] = {}
    figures: dict[Path, tuple[int, list[bytes]]] = {}
    folders: dict[Path, str] = {}
    for history, result, event, spec in batch:
        run = history._lines(result, event, spec)
        if run is None:
            continue
        folders.setdefault(history.folder, result.request_id)
        payloads.setdefault(run[0], (history.payloads_limit, []))[1].append(run[2])
        figures.setdefault(run[1], (history.figures_limit, []))[1].append(run[3])
    for folder, request_id in folders.items():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("could not record %s in %s: %s", request_id, folder, exc)
    for files in (payloads, figures):
        for path, (limit, lines) in files.items():
            try:
                for group in _groups(lines, max(limit // GROUP_FRACTION, 1)):
                    _append(path, group, limit)
            except OSError as exc:
                log.warning("could not record %d runs in %s: %s", len(lines), path, exc)


def _groups(lines: list[bytes], size: int) -> list[bytes]:
    """``lines`` joined into as few pieces as keep each under ``size`` bytes (a longer line is its own)."""
    groups: list[bytes] = []
    current: list[bytes] = []
    length = 0
    for line in lines:
        if current and length + len(line) > size:
            groups.append(b"".join(current))
            current, length = [], 0
        current.append(line)
        length += len(line)
    if current:
        groups.append(b"".join(current))
    return groups


_WRITER = _Writer()


# ---- files ---------------------------------------------------------------------------

def _file_stem(key: str) -> str:
    """A function key as a file name that cannot leave the folder (``/``, ``..``, ``:`` quoted)."""
    stem = quote(key, safe="-_@+=,")
    return stem.replace(".", "%2E")


def _line(value: dict[str, Any]) -> bytes:
    return (_compact(value) + "\n").encode("utf-8", "surrogatepass")


def _compact(value: Any) -> str:
    return dumps(value, ensure_ascii=False, separators=(",", ":"))


def _append(path: Path, line: bytes, limit: int) -> None:
    """Append ``line`` in one write; past ``limit`` the file is rotated to ``<path>.1`` first (under the lock)."""
    descriptor = _open_locked(path)
    try:
        size = os.fstat(descriptor).st_size
        if size and size + len(line) > limit:
            os.replace(path, path.with_name(path.name + ".1"))
            os.close(descriptor)
            descriptor = _open_locked(path)
            size = os.fstat(descriptor).st_size
        if size and os.pread(descriptor, 1, size - 1) != b"\n":
            line = b"\n" + line  # a crash left half a line: it stays alone (skipped when read), ours starts clean
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def _open_locked(path: Path) -> int:
    """``path`` opened for appending and locked; opened again when another process rotated it meanwhile
    (our descriptor would then append to the rotated file, past its limit)."""
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        if fcntl is None:
            return descriptor
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            found = path.stat()
        except FileNotFoundError:
            found = None
        held = os.fstat(descriptor)
        if found is not None and (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino):
            return descriptor
        os.close(descriptor)


def _lines(path: Path) -> list[tuple[Path, int, str]]:
    """(file, line number, text) of each non-empty line of ``<path>.1`` then ``path``: oldest first."""
    found: list[tuple[Path, int, str]] = []
    for part in (path.with_name(path.name + ".1"), path):
        try:
            data = part.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            continue
        found.extend((part, index, line) for index, line in enumerate(data.split("\n"), start=1) if line)
    return found


def _request_id_of(line: str) -> str | None:
    """The request id at the start of a payload line, read without parsing the (maybe large) rest."""
    prefix = '{"request_id":"'
    if not line.startswith(prefix):
        return None
    end = line.find('"', len(prefix))
    return line[len(prefix):end] if end > 0 else None


# ---- masking -------------------------------------------------------------------------

def _secret_values(environment: dict[str, str]) -> list[str]:
    """The function's secret environment values, longest first (so a longer one is masked whole)."""
    values = {str(value) for name, value in environment.items()
              if looks_secret(name, str(value)) and len(str(value)) >= 4}
    return sorted(values, key=len, reverse=True)


def _masked(value: Any, secrets: list[str], name: str = "") -> Any:
    """``value`` with secrets masked (see the module's docstring); the structure is kept."""
    if isinstance(value, dict):
        return {key: _masked(item, secrets, str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, secrets, name) for item in value]
    if isinstance(value, str):
        if name and _sounds_secret(name) and looks_secret(name, value):
            return MASK
        if "://" in value:  # only a URL can carry credentials
            value = mask_url_credentials(value)
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value
    return value


@functools.lru_cache(maxsize=4096)
def _sounds_secret(name: str) -> bool:
    """A key whose string values are masked when not plain (``looks_secret``), unless it names data
    (``IDENTIFIER_KEYS``); kept per key name, as the same event shapes come again and again."""
    return name.lower() not in IDENTIFIER_KEYS and looks_secret(name)
