"""The desk's server-sent event stream: every transfer card, then each change, live.

A stream starts with the recent cards (what the page may have missed between being
rendered and connecting, or while reconnecting), then sends a card each time the feed
says a transfer changed (or, while the link to other instances is down, each time a
re-read every ``POLL_S`` finds one changed). Every card is read from the store and
rendered for this agent at that moment, so the browser just swaps in the HTML. A comment line every
``KEEPALIVE_S`` keeps proxies from closing an idle stream; at each one the session is
checked again, so a stream ends when its session expires or signs out.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable

from ivr.desk.feed import Subscription, TransferFeed
from ivr.store.agents import AgentSessionView
from ivr.store.errors import StoreError
from ivr.store.repo import Store
from ivr.web.agent.cards import TransferCard, build_card, sorted_cards
from ivr.web.agent.render import render_card

log = logging.getLogger("ivr.web.agent")

KEEPALIVE_S = 15.0
POLL_S = 2.0
"""How often a desk re-reads its cards while events from other instances may be missed."""
RETRY_MS = 2000
"""How soon the browser reconnects after the stream drops."""
DESK_LIMIT = 50
"""Transfers on the desk: the most recent ones."""


def sse(event: str, data: object) -> str:
    """One server-sent event; JSON data is one line, so one ``data:`` field suffices."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def card_event(agent: AgentSessionView, card: TransferCard) -> str:
    """The ``card`` event that inserts or replaces ``card`` on ``agent``'s page."""
    return sse("card", {"call_sid": card.call_sid, "html": render_card(agent, card)})


def load_card(store: Store, call_sid: str) -> TransferCard | None:
    """The current card of one call (blocking: run in a thread)."""
    call = store.get_call(call_sid)
    return build_card(call) if call is not None else None


def load_cards(store: Store, agent: str, limit: int = DESK_LIMIT) -> list[TransferCard]:
    """``agent``'s desk: the recent cards in display order (blocking: run in a thread)."""
    cards = [load_card(store, sid) for sid in store.recent_transfers(limit)]
    return sorted_cards([c for c in cards if c is not None], agent)


async def desk_events(
    store: Store,
    feed: TransferFeed,
    agent: AgentSessionView,
    still_signed_in: Callable[[], bool],
    keepalive_s: float = KEEPALIVE_S,
    poll_s: float = POLL_S,
) -> AsyncIterator[str]:
    """The event stream for ``agent``; ``still_signed_in`` is blocking (run in a thread)."""
    async with feed.subscribe() as sub:
        yield f"retry: {RETRY_MS}\n\n"
        try:
            shown: dict[str, str] = {}
            for chunk in [*await _changed_cards(store, agent, shown), sse("ready", {})]:
                yield chunk
            follow = _follow(store, feed, sub, agent, still_signed_in, keepalive_s, poll_s, shown)
            async for chunk in follow:
                yield chunk
        except StoreError as exc:
            log.error("agent desk stream: %s; the browser will reconnect", exc)


async def _follow(
    store: Store,
    feed: TransferFeed,
    sub: Subscription,
    agent: AgentSessionView,
    still_signed_in: Callable[[], bool],
    keepalive_s: float,
    poll_s: float,
    shown: dict[str, str],
) -> AsyncIterator[str]:
    """Cards as the feed announces them, or as polling finds them while it is degraded."""
    quiet = 0.0
    while True:
        wait = min(poll_s, keepalive_s) if feed.degraded() else keepalive_s
        try:
            event = await sub.get(timeout=wait)
        except TimeoutError:
            if feed.degraded():  # another instance's events may not reach us: look
                for chunk in await _changed_cards(store, agent, shown):
                    yield chunk
            quiet += wait
            if quiet >= keepalive_s:
                quiet = 0.0
                chunk = await _keepalive(still_signed_in)
                yield chunk
                if chunk.startswith("event: expired"):
                    return
            continue
        if event is None:
            return  # dropped for falling behind, or shutting down: the browser reconnects
        card = await asyncio.to_thread(load_card, store, event.call_sid)
        if card is not None:
            shown[card.call_sid] = chunk = card_event(agent, card)
            yield chunk


async def _keepalive(still_signed_in: Callable[[], bool]) -> str:
    """A keep-alive comment, or the ``expired`` event once the session is over."""
    if not await asyncio.to_thread(still_signed_in):
        return sse("expired", {})
    return ": keep-alive\n\n"


async def _changed_cards(store: Store, agent: AgentSessionView, shown: dict[str, str]) -> list[str]:
    """Card events for the desk's cards that differ from what was last ``shown``."""
    changed = []
    for card in await asyncio.to_thread(load_cards, store, agent.username):
        chunk = card_event(agent, card)
        if shown.get(card.call_sid) != chunk:
            shown[card.call_sid] = chunk
            changed.append(chunk)
    return changed
