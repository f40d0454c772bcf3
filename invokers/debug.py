"""The engine's end of the debug channel, and the clock that stops while the user does.

A Python worker gets a socket of its own at spawn (``SVL_DEBUG_FD``, see
``bootstrap/debug_channel.py`` for the protocol): its stdout and stderr carry
logs, so the debugger cannot live there. The worker asks before stopping at a
``breakpoint()``; the engine says "stop" only when the invocation's consumer
asked for debugging (the UI, a terminal), else the breakpoint is skipped with a
warning line, so nothing ever waits for a user who is not there.

Everything here is plain data for the faces: a stop is a ``DebugStop`` update in
the invocation's stream, and commands go back with ``Engine.debug_send``.
Secret-looking names are masked here, with the product's one rule
(``environment.looks_secret``), before any face sees a value.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import socket
import time
from collections.abc import Awaitable, Iterable
from pathlib import Path
from typing import Any

from .environment import MASK, looks_secret, mask_url_credentials
from .models import DebugStop, FunctionSpec, LogRecord
from .runtimes import Launch, RuntimeUnavailable

MAX_MESSAGE = 16 * 1024 * 1024  # one stop's state; locals are capped in the worker far below this


def mask_values(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Summarised values as svl-tui may show them: secrets hidden by the product's one rule, children included."""
    masked = []
    for node in nodes:
        node = dict(node)
        name, value = str(node.get("name", "")), node.get("value")
        if node.get("type") != "NoneType" and isinstance(value, str) and looks_secret(name, value):
            node["value"] = MASK
            node.pop("children", None)
            node.pop("size", None)
        else:
            if isinstance(value, str):
                node["value"] = mask_url_credentials(value)
            if isinstance(node.get("children"), list):
                node["children"] = mask_values(node["children"])
        masked.append(node)
    return masked


class DebugSession:
    """One invocation's view of the channel: whether it may stop, its stops, its pauses."""

    def __init__(self, request_id: str, function: str, queue: asyncio.Queue[Any], *, interactive: bool,
                 post_mortem: bool = False) -> None:
        self.request_id = request_id
        self.function = function
        self.queue = queue
        self.interactive = interactive
        self.post_mortem = post_mortem
        self.error_locals: list[dict[str, Any]] | None = None
        self.paused_s = 0.0
        self.running = asyncio.Event()
        self.running.set()
        self.stopped = asyncio.Event()
        self._stopped_at = 0.0

    def pause(self) -> None:
        self._stopped_at = time.perf_counter()
        self.running.clear()
        self.stopped.set()

    def resume(self) -> None:
        if not self.running.is_set():
            self.paused_s += time.perf_counter() - self._stopped_at
            self.stopped.clear()
            self.running.set()


class DebugLink:
    """The engine's end of one worker's debug channel."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.session: DebugSession | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        reader, self._writer = await asyncio.open_connection(sock=self.sock, limit=MAX_MESSAGE)
        self._task = asyncio.create_task(self._read(reader))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._writer is not None:
            self._writer.close()
        else:
            self.sock.close()
        if self.session is not None:
            self.session.resume()

    @property
    def stopped(self) -> bool:
        return self.session is not None and not self.session.running.is_set()

    def send(self, line: str) -> None:
        """A pdb command for the stopped worker (``n``, ``s``, ``c``, ``p expr`` ...)."""
        session = self.session
        if session is None or session.running.is_set():
            raise RuntimeError("the function is not stopped in the debugger")
        session.resume()
        self._reply({"line": line})

    def _reply(self, message: dict[str, Any]) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(json.dumps(message).encode() + b"\n")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            try:
                line = await reader.readline()
            except (ConnectionError, ValueError):
                return
            if not line:
                return
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                await self._dispatch(message)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        session = self.session
        kind = message.get("type")
        if kind == "breakpoint":
            if session is not None and session.interactive:
                self._reply({"action": "stop"})
                return
            where = f"{message.get('file')}:{message.get('line')}"
            if session is None:  # the init phase (a breakpoint() at import time): no stream yet, the worker says it
                self._reply({"action": "skip", "say": f"svl: breakpoint() at {where} skipped: the debugger stops "
                                                      "inside invocations, not while the module is imported"})
                return
            self._reply({"action": "skip"})
            await session.queue.put(LogRecord(
                timestamp=time.time(), request_id=session.request_id, level="WARN", stream="platform",
                message=(f"svl: breakpoint() at {where} skipped: "
                         "no debugger attached (invoke from the UI or on a terminal to stop there)")))
        elif kind == "stopped":
            if session is None:
                self._reply({"line": "c"})
                return
            session.pause()
            await session.queue.put(_stop(session, message))
        elif kind == "error_locals" and session is not None:
            session.error_locals = [{**frame, "locals": mask_values(frame.get("locals") or [])}
                                    for frame in message.get("frames") or [] if isinstance(frame, dict)]


def _stop(session: DebugSession, message: dict[str, Any]) -> DebugStop:
    frames = [frame for frame in message.get("frames") or [] if isinstance(frame, dict)]
    index = int(message.get("index") or 0)
    current = frames[index] if 0 <= index < len(frames) else {}
    return DebugStop(request_id=session.request_id, function=session.function,
                     file=str(current.get("file", "")), line=int(current.get("line") or 0),
                     frames=frames, index=index, source=message.get("source"),
                     locals=mask_values(message.get("locals") or []), output=str(message.get("output") or ""),
                     post_mortem=session.post_mortem)


async def wait_running(waits: Iterable[Awaitable[Any]], timeout: float | None,
                       session: DebugSession | None) -> set[Any]:
    """``asyncio.wait(FIRST_COMPLETED)`` whose timeout does not run while the debugger is stopped.

    Returns the finished awaitables of ``waits`` (empty on timeout).
    """
    futures = {asyncio.ensure_future(w) for w in waits}
    remaining = timeout
    while True:
        if session is None:
            done, _ = await asyncio.wait(futures, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            return done
        watcher = asyncio.ensure_future(session.stopped.wait() if session.running.is_set()
                                        else session.running.wait())
        was_running = session.running.is_set()
        began = time.perf_counter()
        try:
            done, _ = await asyncio.wait(futures | {watcher}, timeout=remaining if was_running else None,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            watcher.cancel()
        if was_running and remaining is not None:
            remaining = max(0.0, remaining - (time.perf_counter() - began))
        finished = done & futures
        if finished or not done:
            return finished


# ---- debug ports (editors attach) ---------------------------------------------------

def port_command(spec: FunctionSpec, launch: Launch, port: int) -> list[str]:
    """The launch command, started so that an editor can attach on 127.0.0.1:``port`` before the handler runs.

    Python runs under debugpy (``--wait-for-client``), Node with ``--inspect-brk``.
    """
    command = launch.command
    if spec.language == "python":  # [interpreter, *its flags, bootstrap]
        # frozen stdlib modules would make debugpy warn (on the function's stderr) and miss breakpoints in them
        debugpy = debugpy_folder(launch.env.get("SVL_PYTHON_PATH", ""))
        return [command[0], *command[1:-1], "-Xfrozen_modules=off", debugpy,
                "--listen", f"127.0.0.1:{port}", "--wait-for-client", command[-1]]
    if spec.language == "node":
        return [command[0], f"--inspect-brk=127.0.0.1:{port}", *command[1:]]
    raise RuntimeUnavailable(f"--debug-port works for Python and Node.js functions; {spec.name} runs {spec.runtime}")


def debugpy_folder(import_path: str) -> str:
    """debugpy's package folder: the project's own (on the worker's built import path) or svl-tui's ``debug`` extra.

    The worker runs the folder as a script, so debugpy puts only itself on the
    handler's import path, never the rest of svl-tui's packages.
    """
    for entry in filter(None, import_path.split(os.pathsep)):
        if (Path(entry) / "debugpy" / "__main__.py").is_file():
            return str(Path(entry) / "debugpy")
    found = importlib.util.find_spec("debugpy")
    if found is None or not found.submodule_search_locations:
        raise RuntimeUnavailable(
            "--debug-port needs debugpy for Python functions: add it to the project's environment "
            "or install svl-tui with its debug extra (pip install 'svl-tui[debug]')")
    return list(found.submodule_search_locations)[0]
