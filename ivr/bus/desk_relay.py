"""Agent desk events across instances: a transfer recorded on one shows on every desk."""

from __future__ import annotations

from typing import Any, get_args

from ivr.bus.redis_bus import RedisBus
from ivr.desk.feed import DeskEvent, EventKind, TransferFeed

CHANNEL = "desk"
KINDS: frozenset[str] = frozenset(get_args(EventKind))


def event_payload(event: DeskEvent) -> dict[str, Any]:
    """What crosses Redis: the kind and the CallSid, nothing personal."""
    return {"kind": event.kind, "call_sid": event.call_sid}


def parse_event(payload: dict[str, Any]) -> DeskEvent | None:
    """The event in another instance's message, or None if it is not one."""
    kind, call_sid = payload.get("kind"), payload.get("call_sid")
    if kind not in KINDS or not isinstance(call_sid, str) or not 0 < len(call_sid) <= 64:
        return None
    return DeskEvent(kind, call_sid)


def relay_desk_events(feed: TransferFeed, bus: RedisBus) -> None:
    """Send the feed's local events to the other instances and deliver theirs here; while
    Redis is unreachable the feed reports itself degraded, so desks poll."""

    async def deliver(payload: dict[str, Any]) -> None:
        event = parse_event(payload)
        if event is not None:
            feed.deliver(event)

    feed.relay = lambda event: bus.publish_soon(CHANNEL, event_payload(event))
    feed.degraded = lambda: not bus.up
    bus.on(CHANNEL, deliver)
