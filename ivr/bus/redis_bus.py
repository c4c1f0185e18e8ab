"""Redis publish/subscribe between instances: small JSON messages, at most once.

Only hints travel here ("this transfer changed", "these grammar files went live"):
everything durable is in the database, so a lost message costs a refresh, never data.
Redis being down is logged once when it goes and once when it is back, retried with
back-off, and never raised to a caller: calls do not depend on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger("ivr.bus")

Handler = Callable[[dict[str, Any]], Awaitable[None]]
PREFIX = "ivr:"
PING_EVERY_S = 5.0
"""How often an idle subscription checks its connection (a vanished host sends no FIN)."""
RETRY_MAX_S = 5.0


class RedisBus:
    """Publishes to and listens on ``ivr:<channel>``; drops its own messages."""

    def __init__(self, url: str, instance: str) -> None:
        self.instance = instance
        self._state: bool | None = None  # None: not tried yet
        self._redis = aioredis.from_url(url, socket_connect_timeout=2.0, socket_timeout=2.0)
        self._handlers: dict[str, Handler] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[bool]] = set()

    def on(self, channel: str, handler: Handler) -> None:
        """Call ``handler`` with each payload another instance publishes on ``channel``."""
        self._handlers[PREFIX + channel] = handler

    async def publish(self, channel: str, payload: dict[str, Any]) -> bool:
        """Send ``payload`` to every other instance; False (logged) when Redis is down."""
        message = json.dumps({**payload, "origin": self.instance}, separators=(",", ":"))
        try:
            await self._redis.publish(PREFIX + channel, message)
        except (RedisError, OSError) as exc:
            self._went_down(exc)
            return False
        self._came_up()
        return True

    def publish_soon(self, channel: str, payload: dict[str, Any]) -> None:
        """:meth:`publish` from any thread, without waiting (before :meth:`run`: dropped)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop is shutting down
            loop.call_soon_threadsafe(self._spawn, channel, payload)

    def _spawn(self, channel: str, payload: dict[str, Any]) -> None:
        task = asyncio.ensure_future(self.publish(channel, payload))
        self._tasks.add(task)  # a reference, or the task may be collected mid-flight
        task.add_done_callback(self._tasks.discard)

    async def ping(self) -> bool:
        """Whether Redis answers now."""
        try:
            await self._redis.ping()
        except (RedisError, OSError) as exc:
            self._went_down(exc)
            return False
        self._came_up()
        return True

    async def run(self) -> None:
        """Listen until cancelled, reconnecting with back-off whenever Redis goes away."""
        self._loop = asyncio.get_running_loop()
        delay = 0.2
        while True:
            try:
                await self._listen()
            except (RedisError, OSError) as exc:
                self._went_down(exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S) if not self.up else 0.2

    async def _listen(self) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(*self._handlers)
            self._came_up()
            idle = 0.0
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None:
                    idle = 0.0
                    await self._dispatch(message)
                    continue
                idle += 1.0
                if idle >= PING_EVERY_S:
                    idle = 0.0
                    await pubsub.ping()
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()

    async def _dispatch(self, message: dict[str, Any]) -> None:
        channel = _text(message.get("channel"))
        handler = self._handlers.get(channel)
        try:
            payload = json.loads(_text(message.get("data")))
        except ValueError:
            log.warning("bus: ignored a malformed message on %s", channel)
            return
        if handler is None or not isinstance(payload, dict):
            return
        if payload.get("origin") == self.instance:
            return
        try:
            await handler(payload)
        except Exception:
            log.exception("bus: handling a message on %s failed", channel)

    @property
    def up(self) -> bool:
        """Whether the last contact with Redis worked (desks poll while it is False)."""
        return self._state is True

    def _went_down(self, exc: BaseException) -> None:
        if self._state is not False:  # log transitions, not every retry
            log.warning("redis unreachable (%s): desks poll, calls go on", exc)
        self._state = False

    def _came_up(self) -> None:
        if self._state is not True:
            log.info("redis reachable: live desk events and grammar edits shared")
        self._state = True

    async def aclose(self) -> None:
        """Close the connection pool."""
        with contextlib.suppress(RedisError, OSError):
            await self._redis.aclose()


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
