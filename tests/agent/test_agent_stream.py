"""The desk's event stream: the recent cards first, then each change the feed announces,
until the session ends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime

from ivr.store.agents import AgentSessionView
from ivr.web.agent.stream import desk_events
from tests.agent.desk_helpers import DeskDeps, escalated_call

WAIT_S = 10.0
AGENT = AgentSessionView("ada.agent", "token", datetime(2030, 1, 1))


async def _next_event(stream: AsyncIterator[str]) -> tuple[str, dict[str, str]]:
    """The next named event of an SSE stream (comments and retry lines skipped)."""
    while True:
        chunk = await asyncio.wait_for(anext(stream), WAIT_S)
        if chunk.startswith("event: "):
            name, data = chunk.strip().split("\n")
            return name.removeprefix("event: "), json.loads(data.removeprefix("data: "))


def test_desk_events_start_with_recent_cards_then_follow_the_feed(desk: DeskDeps) -> None:
    first, later = "CA" + "1" * 32, "CA" + "2" * 32
    escalated_call(desk.store, first)

    async def scenario() -> list[tuple[str, dict[str, str]]]:
        stream = desk_events(desk.store, desk.feed, AGENT, lambda: True)
        events = [await _next_event(stream), await _next_event(stream)]
        escalated_call(desk.store, later, reason="lost_card", urgent=True)
        desk.feed.transfer_recorded(later)
        events.append(await _next_event(stream))
        await stream.aclose()  # type: ignore[attr-defined]
        return events

    (kind1, card1), (kind2, _), (kind3, card3) = asyncio.run(scenario())
    assert (kind1, card1["call_sid"]) == ("card", first)
    assert kind2 == "ready"
    assert (kind3, card3["call_sid"]) == ("card", later)
    assert "Lost card" in card3["html"] and "****" in card3["html"]


def test_desk_events_session_gone_ends_stream_with_expired(desk: DeskDeps) -> None:
    async def scenario() -> list[str]:
        stream = desk_events(desk.store, desk.feed, AGENT, lambda: False, keepalive_s=0.01)
        names = [(await _next_event(stream))[0] for _ in range(2)]
        names += [chunk async for chunk in stream]  # nothing after "expired": it ended
        return names

    assert asyncio.run(scenario()) == ["ready", "expired"]
