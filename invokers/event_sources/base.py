"""What every mapping shares: its settings, its label, and the way it invokes and reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..models import Trigger
from .models import Delivery, MappingInfo, Notice
from .settings import settings_of

if TYPE_CHECKING:
    from .runner import EventSources


class SourceMissing(Exception):
    """The mapping cannot run as configured (a table without a stream, a schedule that cannot be read)."""


class SourceNotFound(SourceMissing):
    """The queue, stream, table, topic, bucket or bus does not exist (yet): the mapping waits for it."""


class Mapping:
    """One event source mapping (or subscription, notification, rule, schedule) of one function."""

    kind = ""

    def __init__(self, sources: EventSources, function: str, trigger: Trigger) -> None:
        self.sources = sources
        self.function = function
        self.trigger = trigger
        self.settings = settings_of(trigger)
        self.info = MappingInfo(function, trigger.name, trigger.kind, self.label(),
                                settings=self.describe_settings())

    resource_type = ""
    """The CloudFormation type of the source, to name it by its logical id when the template declares it."""

    def label(self) -> str:
        """``sqs:OrdersQueue``: the kind and the name the template gives it (its logical id), else its own."""
        from .clients import find_resource

        name = self.source_name()
        resource = find_resource(self.sources.provisioned, name, self.resource_type) if self.resource_type else None
        return f"{self.kind}:{resource.logical_id if resource is not None else name}"

    def source_name(self) -> str:
        return self.trigger.name

    def describe_settings(self) -> dict[str, Any]:
        return {}

    async def setup(self) -> None:
        """Find (or connect) the source; raise ``SourceMissing`` with the reason when it cannot run."""

    async def run(self) -> None:
        """Poll until cancelled. An exception is reported and the poller started again after a pause."""

    async def close(self) -> None:
        """Undo what ``setup`` connected (internal queues, subscriptions)."""

    # ---- shared helpers -------------------------------------------------------

    async def invoke(self, event: Any, records: int) -> Delivery:
        return await self.sources.invoke(self.function, event, source=self.info.source, kind=self.kind,
                                         records=records)

    def tell(self, item: Delivery | Notice) -> None:
        self.sources.tell(item)

    def notice(self, message: str, level: str = "info") -> None:
        self.tell(Notice(self.info.source, message, level, self.function))
