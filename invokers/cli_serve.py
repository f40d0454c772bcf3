"""``svl-tui serve``: the project's functions behind a local API Gateway and the Lambda Invoke API.

With ``--mock-aws`` it also runs the embedded AWS and the functions' event
sources (queues, streams, topics, buckets, rules, schedules) until stopped.

Prints an access line per request (and the functions' logs on stderr),
reloads changed code, and publishes the session under ``.svl/`` so
``svl-tui invoke`` in another terminal runs in its warm environments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .cli_output import EXIT_OK, Painter, UsageError
from .cli_project import load_project, start_mock
from .pool import DEFAULT_ACCOUNT_CONCURRENCY, DEFAULT_IDLE_S, Limits

if TYPE_CHECKING:
    import asyncio

    from .aws.mock import MockAws
    from .serve.traffic import Traffic

ACCESS_DELAY_S = 0.02
"""Access lines and logs are written at most this long after their request, in one write per stream."""


def add_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    serve = commands.add_parser("serve", parents=[common],
                                help="serve the functions over HTTP: API Gateway routes and the Lambda Invoke API "
                                     "(with --mock-aws, also their queues, streams, topics, buckets, rules, schedules)")
    serve.add_argument("--port", "-p", type=int, default=3000, help="port to listen on (default 3000, 0: any free)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--account-concurrency", type=int, default=DEFAULT_ACCOUNT_CONCURRENCY, metavar="N",
                       help=f"invocations in flight across functions before throttling "
                            f"(default {DEFAULT_ACCOUNT_CONCURRENCY})")
    serve.add_argument("--idle-timeout", type=float, default=DEFAULT_IDLE_S, metavar="SECONDS",
                       help=f"reclaim environments idle this long (default {DEFAULT_IDLE_S:g})")
    serve.add_argument("--quiet", "-q", action="store_true", help="print access lines only, not the functions' logs")
    serve.add_argument("--no-reload", action="store_true", help="do not watch the code for changes")


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: use a port from 1 to 65535 (or 0 for any free port)")
    try:
        limits = Limits(account=args.account_concurrency, idle_s=args.idle_timeout)
    except ValueError as exc:
        raise UsageError(f"--account-concurrency/--idle-timeout: {exc}") from None
    import asyncio  # here: building the parser must not pay for asyncio

    found = load_project(args)
    mock = start_mock(args, found)  # --mock-aws: the template's resources exist before the first request
    try:
        asyncio.run(_serve(args, found, limits, mock))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}. "
                         "Choose another --port.") from None
    finally:
        if mock is not None:
            mock.stop()
    print("svl-tui: serve stopped", file=sys.stderr)
    return EXIT_OK


async def _serve(args: argparse.Namespace, found: Any, limits: Limits, mock: MockAws | None) -> None:
    import asyncio
    import signal

    from .engine import Engine
    from .history import History
    from .serve import session
    from .serve.server import Server

    painter = Painter(sys.stderr)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with Engine(limits=limits, worker_env=mock.environment if mock else None,
                      history=History.for_project(found.project, example=found.example)) as engine:
        project = Path(found.project)
        server = Server(engine, list(found.functions), project=project)
        url = await server.start(args.host, args.port)
        session.write(project, url, server.key)
        sources = None
        access = AccessLog(painter, args.quiet)
        try:
            server.listeners.append(access)
            _announce(server, url, args.host, painter)
            if mock is not None:  # the triggers' queues, streams, topics... deliver to the handlers
                from .cli_sources import start as start_sources

                sources = await start_sources(engine, list(found.functions), mock, painter, args.quiet,
                                              mock.provisioned)
            for spec in server.functions.values():
                if spec.provisioned_concurrency:
                    for failure in await engine.provision(spec):
                        painter.error(f"svl-tui: {spec.name}: provisioned concurrency: "
                                      f"{(failure.error or {}).get('errorType')}: "
                                      f"{(failure.error or {}).get('errorMessage')}")
            watcher = None if args.no_reload else asyncio.create_task(
                _reload(project, engine, found, server, painter, sources))
            await stop.wait()
            if watcher is not None:
                watcher.cancel()
        finally:
            session.remove(project, server.key)
            await server.close()
            access.flush()
            if sources is not None:
                await sources.close()


def _announce(server: Any, url: str, host: str, painter: Painter) -> None:
    scope = "this machine only" if host in ("127.0.0.1", "localhost", "::1") else "reachable from the network"
    painter.note(f"svl-tui: serving {len(server.functions)} functions on {url} ({scope}; Ctrl-C to stop)")
    painter.note(f"  Lambda Invoke API: aws lambda invoke --endpoint-url {url} --function-name NAME out.json")
    for line in server.gateway.describe(url):
        painter.note("  " + line)


class AccessLog:
    """Prints each request's access line on stdout and its functions' logs on stderr (unless ``quiet``).

    Batched: a request only queues its traffic, and a timer writes whatever
    came within ``ACCESS_DELAY_S`` in one write per stream, so a busy server
    formats and writes once per batch instead of several times per request.
    """

    def __init__(self, painter: Painter, quiet: bool, out: TextIO | None = None) -> None:
        self.painter = painter
        self.quiet = quiet
        self.out = out
        self._pending: list[Traffic] = []
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self, traffic: Traffic) -> None:
        self._pending.append(traffic)
        if self._timer is None:
            import asyncio

            self._timer = asyncio.get_running_loop().call_later(ACCESS_DELAY_S, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        if not self.quiet:
            logs = [self.painter.painted(record) for traffic in pending for record in traffic.logs]
            if logs:
                self.painter.stream.write("\n".join(logs) + "\n")
                self.painter.stream.flush()
        out = self.out or sys.stdout
        out.write("".join(traffic.access_line() + "\n" for traffic in pending))
        out.flush()


async def _reload(project: Path, engine: Any, found: Any, server: Any, painter: Painter, sources: Any) -> None:
    from .reload import Reloader

    reloader = Reloader(project, engine, found)
    async for change in reloader.watch():
        server.update(list(reloader.discovery.functions))
        if sources is not None:
            sources.update(list(reloader.discovery.functions))
        if change.reloaded or change.added or change.removed:
            painter.note(f"svl-tui: reloaded {', '.join(change.reloaded + change.added) or 'configuration'}")
        for error in change.errors:
            painter.error(f"svl-tui: {error.function} does not load: {error.error_type}: {error.message}")
