"""The session's own endpoints for ``svl-tui invoke`` (``/_svl/...``), guarded by the session key.

``POST /_svl/invoke/{function}`` runs one invocation in this session's engine
and streams it back as JSON lines, ``{"log": LogRecord}`` as they are written,
then ``{"result": Result}``; the request body is ``{"event": ...}``, or ``{}``
for the function's default event. Each invocation is also told to the
server's listeners, so it shows in the UI and the access log.
"""

from __future__ import annotations

import hmac
import json
import time
import uuid
from typing import TYPE_CHECKING

from ..models import Result
from .traffic import Traffic

if TYPE_CHECKING:
    from aiohttp import web

    from .server import Server

INVOKE = "/_svl/invoke/"


async def handle(server: Server, request: web.Request, body: bytes) -> web.StreamResponse:
    from aiohttp import web

    sent = request.headers.get("x-svl-session-key", "")
    if not hmac.compare_digest(sent.encode(), server.key.encode()):
        return web.json_response({"message": "this session needs its key (from .svl/session.json)"}, status=403)
    if request.method == "GET" and request.path == "/_svl/ping":
        return web.json_response({"functions": sorted(server.functions)})
    if request.method != "POST" or not request.path.startswith(INVOKE):
        return web.json_response({"message": f"unknown session endpoint {request.method} {request.path}"},
                                 status=404)
    name = request.path[len(INVOKE):]
    spec = server.functions.get(name)
    if spec is None:
        return web.json_response({"message": f"no function named {name!r} in this session"}, status=404)
    try:
        asked = json.loads(body) if body else {}
    except ValueError:
        return web.json_response({"message": "the request body must be JSON: {\"event\": ...}"}, status=400)
    if isinstance(asked, dict) and "event" in asked:
        event = asked["event"]
    else:  # the same event a plain in-process invoke would send
        from ..trigger_events import opening_event

        event = opening_event(spec, server.project).event
    started = time.perf_counter()
    response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
    await response.prepare(request)
    traffic = Traffic(face="cli", method="INVOKE", path=name, status=200, function=name)
    async for update in server.engine.invoke(spec, event, request_id=str(uuid.uuid4())):
        if isinstance(update, Result):
            traffic.result = update
            await response.write(json.dumps({"result": update.to_dict()}, default=str).encode() + b"\n")
        else:
            traffic.logs.append(update)
            await response.write(json.dumps({"log": update.to_dict()}, default=str).encode() + b"\n")
    await response.write_eof()
    if traffic.result is not None:
        traffic.request_id, traffic.cold = traffic.result.request_id, traffic.result.cold
        traffic.error_type = (traffic.result.error or {}).get("errorType", "")
        traffic.throttled = traffic.error_type == "TooManyRequestsException"
    traffic.duration_ms = (time.perf_counter() - started) * 1000
    server.tell(traffic)
    return response
