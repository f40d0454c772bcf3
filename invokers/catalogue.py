"""The catalogue: one list of the functions a session can invoke, local and deployed.

Discovery fills the local part, hot reload replaces it when a config file
changes, and the deployed listing adds AWS functions page by page. Every face
(the UI, ``svl-tui list``, a future ``serve``) reads this one list instead of
keeping its own copy, and hears about changes through one callback with one
kind of value, a ``CatalogueChange``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .models import FunctionSpec, function_key

if TYPE_CHECKING:
    from .aws.session import Aws
    from .discovery import Discovery

ChangeKind = Literal["local", "deployed", "deployed-status"]


@dataclass
class CatalogueChange:
    """What changed: the local functions were replaced, deployed ones arrived, or the deployed status changed.

    ``specs`` holds the functions that arrived (``deployed``) or the new local list (``local``).
    """

    kind: ChangeKind
    specs: list[FunctionSpec] = field(default_factory=list)


class Catalogue:
    """Local functions from discovery (and reloads), deployed functions from AWS, and why those may be missing."""

    def __init__(self, discovery: Discovery) -> None:
        self.discovery = discovery
        self.local: list[FunctionSpec] = list(discovery.functions)
        self.deployed: list[FunctionSpec] = []
        self.deployed_status = ""  # "", "loading…", or why deployed functions are unavailable
        self._listeners: list[Callable[[CatalogueChange], None]] = []

    @property
    def functions(self) -> list[FunctionSpec]:
        return [*self.local, *self.deployed]

    def get(self, key: str) -> FunctionSpec | None:
        """The function with this key (``name`` for local, ``aws:name`` for deployed)."""
        return next((spec for spec in self.functions if function_key(spec) == key), None)

    def subscribe(self, listener: Callable[[CatalogueChange], None]) -> None:
        self._listeners.append(listener)

    def _announce(self, change: CatalogueChange) -> None:
        for listener in self._listeners:
            listener(change)

    def set_local(self, specs: list[FunctionSpec]) -> None:
        """New local functions (discovery ran again after a config change); deployed ones stay."""
        self.local = list(specs)
        self._announce(CatalogueChange("local", list(specs)))

    def add_deployed(self, specs: list[FunctionSpec]) -> None:
        self.deployed.extend(specs)
        self.deployed_status = ""
        self._announce(CatalogueChange("deployed", list(specs)))

    def reset_deployed(self, status: str) -> None:
        """Forget the deployed functions (another region or profile) and say why the group is empty."""
        self.deployed = []
        self.deployed_status = status
        self._announce(CatalogueChange("deployed-status"))

    def set_deployed_status(self, status: str) -> None:
        self.deployed_status = status
        self._announce(CatalogueChange("deployed-status"))


async def deployed_pages(aws: Aws, slice_size: int = 50) -> AsyncIterator[list[FunctionSpec]]:
    """Deployed functions in slices of at most ``slice_size``.

    Some endpoints (moto, LocalStack) ignore MaxItems and send thousands at
    once: slices let a face show the first ones at once and stay responsive.
    Raises ``AwsError`` when AWS cannot be listed.
    """
    from .aws.deployed import list_pages

    async for page in list_pages(aws):
        for start in range(0, len(page), slice_size):
            yield page[start:start + slice_size]
