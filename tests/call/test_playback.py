"""Playback tracking: a prompt plays from when it is sent until its mark comes back."""

from __future__ import annotations

import asyncio

from ivr.call.playback import Playback


def test_playback_marks_are_unique_per_call() -> None:
    playback = Playback()
    assert [playback.next_mark("greeting"), playback.next_mark("main")] == [
        "greeting-1",
        "main-2",
    ]


def test_playback_plays_until_the_last_mark_returns() -> None:
    playback = Playback()
    playback.sent("greeting-1")
    playback.sent("main-2")
    assert playback.playing
    assert playback.returned("greeting-1") is False  # the menu is still playing
    assert playback.returned("main-2") is True
    assert not playback.playing


def test_playback_unknown_or_repeated_marks_change_nothing() -> None:
    playback = Playback()
    playback.sent("main-1")
    assert playback.returned("someone-elses-mark") is False
    assert playback.playing
    assert playback.returned("main-1") is True
    assert playback.returned("main-1") is False


def test_playback_finished_waits_for_the_marks() -> None:
    async def scenario() -> list[str]:
        playback = Playback()
        playback.sent("bye-1")
        order: list[str] = []

        async def hang_up() -> None:
            await playback.finished()
            order.append("closed")

        task = asyncio.create_task(hang_up())
        await asyncio.sleep(0)
        order.append("mark returned")
        playback.returned("bye-1")
        await task
        return order

    assert asyncio.run(scenario()) == ["mark returned", "closed"]
