"""Schedules (SAM ``Schedule``/``ScheduleV2``, serverless ``schedule``): fired on their rate or cron while the
session is open, and on demand."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

from event_samples.common import Env
from event_samples.triggers import event_for

from .base import Mapping, SourceMissing
from .models import Delivery
from .schedule_expr import Schedule, ScheduleError, parse


class ScheduleMapping(Mapping):
    kind = "schedule"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schedule: Schedule | None = None
        self.next_at: datetime | None = None

    def source_name(self) -> str:
        return str(self.trigger.params.get("rule") or self.trigger.name)

    def describe_settings(self) -> dict[str, Any]:
        return {"expression": self.trigger.params.get("expression", "")}

    async def setup(self) -> None:
        try:
            self.schedule = parse(str(self.trigger.params.get("expression", "")))
        except ScheduleError as exc:
            raise SourceMissing(str(exc)) from None
        if not self.sources.schedules:
            self.info.settings["runs"] = "on demand only"

    async def run(self) -> None:
        assert self.schedule is not None
        if not self.sources.schedules:
            return
        while True:
            self.next_at = self.schedule.next_after(datetime.now(timezone.utc))
            self.info.settings["next"] = self.next_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            await asyncio.sleep(max(0.0, (self.next_at - datetime.now(timezone.utc)).total_seconds()))
            await self.fire()

    async def fire(self) -> Delivery:
        """One run now, with the event the rule (or EventBridge Scheduler) sends."""
        made = event_for("schedule", self.trigger.params, Env(region=self.sources.clients.region,
                                                              account=self.sources.clients.account))
        assert made is not None  # event_samples always shapes a schedule's event
        delivery = await self.invoke(made.event, 1)
        self.tell(delivery)
        return delivery
