"""Event sources in the headless ``serve --mock-aws``: start them, say what runs, print every delivery.

Kept out of cli_serve.py so the HTTP face and the event sources evolve apart;
both run on the same engine, so a message on a queue and a request to a route
share the functions' warm environments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .cli_output import Painter

if TYPE_CHECKING:
    from .aws.mock import MockAws
    from .engine import Engine
    from .event_sources import Delivery, EventSources, Notice
    from .models import FunctionSpec


async def start(engine: Engine, functions: list[FunctionSpec], mock: MockAws, painter: Painter,
                quiet: bool, provisioned: Any = None) -> EventSources:
    """Connect every trigger of ``functions`` to the embedded AWS and print what runs (and what cannot)."""
    from .event_sources import EventSources

    sources = EventSources(engine, functions, mock.endpoint, mock.region, provisioned=provisioned)
    sources.listeners.append(lambda item: show(item, painter, quiet))
    infos = await sources.start()
    painter.note(f"svl-tui: embedded AWS on {mock.endpoint}: aws --endpoint-url {mock.endpoint} sqs send-message "
                 "--queue-url ... (any client with that endpoint reaches the handlers)")
    for info in infos:
        settings = ", ".join(f"{key} {value}" for key, value in info.settings.items())
        state = "" if info.state == "running" else f" [{info.state}: {info.reason}]"
        painter.note(f"  {info.source} -> {info.function}" + (f" ({settings})" if settings else "") + state)
    return sources


def show(item: Delivery | Notice, painter: Painter, quiet: bool) -> None:
    """A delivery as one line on stdout (its logs on stderr unless quiet); a notice on stderr."""
    from .event_sources import Delivery

    if not isinstance(item, Delivery):
        (painter.error if item.level == "error" else painter.note)(f"svl-tui: {item.line()}")
        return
    if not quiet:
        for record in item.logs:
            painter.log(record)
    print(item.line(), flush=True)
