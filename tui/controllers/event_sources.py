"""Event sources inside the UI: with ``--mock-aws`` the functions' queues, streams, topics, buckets, rules
and schedules invoke them on the app's own engine, and each delivery becomes a run in the run area.

Non-visual: it starts ``invokers.event_sources.EventSources`` when the app mounts, keeps the last
deliveries and notices for the event sources screen, and says what goes wrong as notifications.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from invokers.catalogue import CatalogueChange
from invokers.event_sources import Delivery, EventSources, Notice

from ..messages import DeliveryArrived

if TYPE_CHECKING:
    from ..app import SvlApp

KEPT = 500


class SourcesController:
    """Owns the app's event sources (only when the embedded AWS runs)."""

    def __init__(self, app: SvlApp) -> None:
        self.app = app
        self.sources: EventSources | None = None
        self.items: deque[Delivery | Notice] = deque(maxlen=KEPT)
        self.listeners: list[Callable[[Delivery | Notice], None]] = []
        app.catalogue.subscribe(self._catalogue_changed)

    async def start(self) -> None:
        mock = self.app.mock
        if mock is None or self.sources is not None:
            return
        sources = EventSources(self.app.engine, self.app.catalogue.functions, mock.endpoint, mock.region,
                               provisioned=mock.provisioned)
        sources.listeners.append(self._seen)
        self.sources = sources
        infos = await sources.start()
        waiting = [f"{i.source} ({i.state}: {i.reason})" for i in infos if i.state not in ("running", "disabled")]
        if infos:
            self.app.notify(f"{sum(i.state == 'running' for i in infos)} of {len(infos)} event sources run against "
                            f"the embedded AWS. Palette: 'Event sources'." +
                            ("\n" + "\n".join(waiting) if waiting else ""), title="Event sources",
                            severity="warning" if waiting else "information", timeout=10)

    async def stop(self) -> None:
        if self.sources is not None:
            sources, self.sources = self.sources, None
            await sources.close()

    def _seen(self, item: Delivery | Notice) -> None:
        self.items.append(item)
        if isinstance(item, Delivery):
            self.app.main_screen.run_area.post_message(DeliveryArrived(item))
        elif item.level in ("warning", "error"):
            self.app.notify(item.message, title=item.source, severity="error" if item.level == "error" else "warning",
                            timeout=10)
        for listener in list(self.listeners):
            listener(item)

    def _catalogue_changed(self, _change: CatalogueChange) -> None:
        if self.sources is not None:
            self.sources.update(self.app.catalogue.functions)
