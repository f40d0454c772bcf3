"""``serve`` inside the UI: the local API Gateway and Lambda endpoint on the app's own engine.

Requests share the UI's warm environments, every request is kept (the last
500) for the traffic screen, and while it runs the session is published under
``.svl/`` so ``svl-tui invoke`` in another terminal runs here too.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from invokers.catalogue import CatalogueChange
from invokers.models import FunctionSpec
from invokers.serve import session
from invokers.serve.authorizers import authorizer_notes
from invokers.serve.routes import Route
from invokers.serve.server import DEFAULT_PORT, Server
from invokers.serve.traffic import Traffic

if TYPE_CHECKING:
    from ..app import SvlApp

KEPT = 500


def routes_text(functions: list[FunctionSpec]) -> str:
    """What the API Gateway face answers: ``1 API route: GET /hello``, ``3 API routes: ... and 1 more``, or
    none (then only the Invoke API is there: a request to the event's path would just get 404)."""
    from invokers.serve.routes import routes_of

    found = [f"{route.method} {route.path}" for spec in functions if spec.is_local for route in routes_of(spec)]
    if not found:
        return "no API routes (no function has an HTTP trigger)"
    more = f" and {len(found) - 2} more" if len(found) > 3 else ""
    shown = found if len(found) <= 3 else found[:2]
    return f"{len(found)} API route{'s' if len(found) > 1 else ''}: {', '.join(shown)}{more}"


class ServeController:
    """Starts and stops the app's HTTP endpoint and remembers its traffic."""

    def __init__(self, app: SvlApp) -> None:
        self.app = app
        self.server: Server | None = None
        self.traffic: deque[Traffic] = deque(maxlen=KEPT)
        self.listeners: list[Callable[[Traffic], None]] = []
        app.catalogue.subscribe(self._catalogue_changed)

    @property
    def url(self) -> str:
        return self.server.url if self.server is not None else ""

    async def start(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> str:
        """Listen on ``port`` (a free one when it is taken); returns the URL."""
        if self.server is not None:
            return self.server.url
        server = Server(self.app.engine, self.app.catalogue.functions, project=self.app.project)
        try:
            url = await server.start(host, port)
        except OSError:
            url = await server.start(host, 0)
        server.listeners.append(self._seen)
        session.write(self.app.project, url, server.key)
        self.server = server
        return url

    async def stop(self) -> None:
        if self.server is None:
            return
        server, self.server = self.server, None
        session.remove(self.app.project, server.key)
        await server.close()

    async def toggle(self) -> None:
        """The palette's command: start (and say where) or stop."""
        if self.server is None:
            url = await self.start()
            routes: list[Route] = self.server.gateway.table.routes if self.server is not None else []
            notes = "".join(f" {note}." for note in authorizer_notes(routes))  # what is not checked locally
            self.app.notify(f"Serving on {url} (this machine only): {routes_text(self.app.catalogue.functions)}, "
                            "the Lambda Invoke API, and 'svl-tui invoke' from other terminals. "
                            f"Palette: 'Serve: traffic'.{notes}", title="Local endpoint", timeout=10)
        else:
            await self.stop()
            self.app.notify("Local endpoint stopped", title="Local endpoint")

    def _seen(self, traffic: Traffic) -> None:
        self.traffic.append(traffic)
        for listener in list(self.listeners):
            listener(traffic)

    def _catalogue_changed(self, _change: CatalogueChange) -> None:
        if self.server is not None:
            self.server.update(self.app.catalogue.functions)
