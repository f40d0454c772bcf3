"""Triggers of an Azure function: the trigger binding of its ``function.json`` (or of a v4/v2 app's registration)."""

from __future__ import annotations

from typing import Any

from ..models import Trigger


def read(bindings: list[Any]) -> list[Trigger]:
    """The trigger bindings of a ``function.json``: ``httpTrigger`` -> ``azure_http`` and so on.

    The params are the binding's own properties (``route``, ``methods``,
    ``schedule``, ``queueName``...), as the v4 programming model names its options too.
    """
    found: list[Trigger] = []
    for binding in bindings:
        if not isinstance(binding, dict) or not str(binding.get("type", "")).endswith("Trigger"):
            continue
        kind = "azure_" + _AZURE_KINDS.get(binding["type"], _snake(binding["type"].removesuffix("Trigger")))
        params = {k: v for k, v in binding.items() if k not in ("type", "direction", "name")}
        found.append(Trigger(kind, str(binding.get("name") or binding["type"]), params))
    return found


_AZURE_KINDS = {"cosmosDBTrigger": "cosmos_db", "serviceBusTrigger": "service_bus", "eventHubTrigger": "event_hub",
                "eventGridTrigger": "event_grid", "rabbitMQTrigger": "rabbitmq"}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
