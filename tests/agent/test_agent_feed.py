"""The desk's pub/sub: fan-out, publishing from any thread, slow subscribers, shutdown."""

from __future__ import annotations

import asyncio
import threading

from ivr.desk.feed import DeskEvent, TransferFeed

WAIT_S = 10.0
EVENT = DeskEvent("transfer", "CA" + "1" * 32)


def test_feed_publish_reaches_every_subscriber() -> None:
    async def scenario() -> list[DeskEvent | None]:
        feed = TransferFeed()
        async with feed.subscribe() as first, feed.subscribe() as second:
            assert feed.subscriber_count == 2
            feed.publish(EVENT)
            got = [await first.get(WAIT_S), await second.get(WAIT_S)]
        assert feed.subscriber_count == 0
        return got

    assert asyncio.run(scenario()) == [EVENT, EVENT]


def test_feed_publish_from_another_thread_is_delivered() -> None:
    async def scenario() -> DeskEvent | None:
        feed = TransferFeed()
        async with feed.subscribe() as sub:
            thread = threading.Thread(target=feed.publish, args=(EVENT,))
            thread.start()
            got = await sub.get(WAIT_S)
            thread.join()
            return got

    assert asyncio.run(scenario()) == EVENT


def test_feed_subscriber_too_far_behind_is_closed_not_grown() -> None:
    async def scenario() -> list[DeskEvent | None]:
        feed = TransferFeed(max_pending=2)
        async with feed.subscribe() as sub:
            for _ in range(5):
                feed.publish(EVENT)
            got = [await sub.get(WAIT_S) for _ in range(4)]
            assert sub.closed
            return got

    # The two it could hold, then the end: its stream closes and the browser re-reads.
    assert asyncio.run(scenario()) == [EVENT, EVENT, None, None]


def test_feed_close_ends_every_subscription() -> None:
    async def scenario() -> DeskEvent | None:
        feed = TransferFeed()
        async with feed.subscribe() as sub:
            feed.close()
            return await sub.get(WAIT_S)

    assert asyncio.run(scenario()) is None


def test_feed_transfer_recorded_publishes_a_transfer_event() -> None:
    async def scenario() -> DeskEvent | None:
        feed = TransferFeed()
        async with feed.subscribe() as sub:
            feed.transfer_recorded(EVENT.call_sid)
            return await sub.get(WAIT_S)

    assert asyncio.run(scenario()) == EVENT
