"""``--debug-port``: the worker waits for an editor, which attaches with the real protocols (minimal clients here).

Python: debugpy's Debug Adapter Protocol (initialize, attach, configurationDone).
Node: the inspector's HTTP discovery and WebSocket (Chrome DevTools Protocol).
Timeouts are suspended meanwhile: the function below has 1 s and the attach
happens after that.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import socket
import struct
from pathlib import Path
from typing import Any

from invokers.engine import Engine
from invokers.models import Result
from tests.conftest import MakeFunction


def _first_ephemeral_port() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default; macOS starts at 49152


def _free_port() -> int:
    """A free port below the ephemeral range. One the kernel hands out (bind to 0) is closed again before the
    worker binds it, and meanwhile any connection on this busy machine may get it as its own local port (the
    worker's listen then fails), and so may our own connect attempts below: TCP's self-connect, which then
    talks to itself."""
    first = _first_ephemeral_port()
    while True:
        port = random.randrange(max(1024, first - 12000), first)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect once the worker listens (it may take long to start on a loaded machine)."""
    for _ in range(1200):
        try:
            return await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


async def _dap_attach(port: int) -> list[str]:
    """Attach like VS Code's debugpy client; returns the commands that succeeded."""
    reader, writer = await _connect(port)
    sequence = 0

    async def send(command: str, arguments: dict[str, Any] | None = None) -> None:
        nonlocal sequence
        sequence += 1
        body = json.dumps({"seq": sequence, "type": "request", "command": command,
                           "arguments": arguments or {}}).encode()
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()

    async def receive() -> dict[str, Any]:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
        message: dict[str, Any] = json.loads(await reader.readexactly(length))
        return message

    succeeded = []
    await send("initialize", {"adapterID": "debugpy", "clientID": "svl-test"})
    await send("attach", {"justMyCode": True})
    while "attach" not in succeeded:
        message = await receive()
        if message.get("event") == "initialized":
            await send("configurationDone")
        if message.get("type") == "response" and message.get("success"):
            succeeded.append(message["command"])
    writer.close()
    return succeeded


async def _inspector_attach(port: int) -> str:
    """Find the target over HTTP, open its WebSocket, let it run past --inspect-brk; returns the target's URL."""
    reader, writer = await _connect(port)
    writer.write(b"GET /json/list HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    target = json.loads(await reader.readexactly(length))[0]["webSocketDebuggerUrl"]
    writer.close()
    path = "/" + target.split("/", 3)[3]
    reader, writer = await _connect(port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    assert b" 101 " in await reader.readuntil(b"\r\n\r\n")

    def frame(message: dict[str, Any]) -> bytes:
        payload = json.dumps(message).encode()
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        size = struct.pack("!BH", 0x80 | 126, len(payload)) if len(payload) > 125 else bytes([0x80 | len(payload)])
        return bytes([0x81]) + size + mask + masked

    async def receive() -> dict[str, Any]:
        first, second = await reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", await reader.readexactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", await reader.readexactly(8))[0]
        message: dict[str, Any] = json.loads(await reader.readexactly(length))
        return message

    writer.write(frame({"id": 1, "method": "Debugger.enable"})
                 + frame({"id": 2, "method": "Runtime.runIfWaitingForDebugger"}))
    while True:
        message = await receive()
        if message.get("method") == "Debugger.paused":  # the --inspect-brk stop on the first line
            writer.write(frame({"id": 3, "method": "Debugger.resume"}))
        if message.get("id") == 3:
            break
    writer.close()
    return str(target)


async def _invoke_attaching(spec: Any, attach: Any) -> tuple[Result, Any]:
    port = _free_port()
    async with Engine(debug_port=port) as engine:
        async def attach_late() -> Any:
            await asyncio.sleep(1.2)  # longer than the function's timeout: suspended while waiting for the editor
            return await attach(port)

        client = asyncio.create_task(attach_late())
        _records, result = await engine.invoke_collect(spec, {"n": 20})
        return result, await client


async def test_python_waits_for_a_debugpy_client(make_function: MakeFunction) -> None:
    spec = make_function("def handler(event, context):\n    return event['n'] + 1\n", timeout_s=1)
    result, succeeded = await _invoke_attaching(spec, _dap_attach)
    assert result.ok and result.response == 21
    assert {"initialize", "configurationDone", "attach"} <= set(succeeded)


async def test_node_waits_for_an_inspector_client(make_function: MakeFunction) -> None:
    spec = make_function("exports.handler = async (event) => event.n + 2;\n", ext=".js", timeout_s=1)
    result, target = await _invoke_attaching(spec, _inspector_attach)
    assert result.ok and result.response == 22
    assert target.startswith("ws://127.0.0.1")
