"""Whole calls through the call session in-process (``tests/inprocess.py``): the real
session, grammars, dialog and store in stream time, with a scripted recognizer and an
in-process Twilio line. Each runs in milliseconds; the same flows through the real protocol,
real speech and a real recognizer are in ``test_calls_en.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.store.views import CallRecord
from tests.inprocess import FastCall, Hotline, build_hotline, heard, run, said, seed_database
from tests.leaks import shows

ADA = "+14155550100"
ALAN = "+14155550101"
UNKNOWN = "+14155550199"


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_database(tmp_path_factory.mktemp("fast-db") / "seeded.db")


@pytest.fixture(scope="session")
def silent_prompts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fast-audio")


@pytest.fixture
def hotline(tmp_path: Path, silent_prompts: Path, seeded_db: Path) -> Iterator[Hotline]:
    line = build_hotline(tmp_path, silent_prompts, seeded_db)
    yield line
    line.services.close()


def turns(record: CallRecord) -> list[tuple[str, str, str | None, str]]:
    """(menu, input, intent, outcome) of each turn."""
    return [(t["menu"], t["input"], t["intent"], t["outcome"]) for t in record["turns"]]


def test_fast_balance_by_keys_reads_both_balances_and_says_goodbye(hotline: Hotline) -> None:
    async def scenario() -> CallRecord:
        call = hotline.caller(ADA)
        await call.start()
        await call.press("1")
        await call.press("2468")
        await call.press("2")
        return await call.finish()

    record = run(scenario)
    assert turns(record) == [
        ("main", "keys", "balance", "matched"),
        ("pin", "keys", "digits", "verified"),
        ("anything_else", "keys", "no", "matched"),
    ]
    assert record["status"] == "completed" and record["verified"] is True
    assert not shows("2468", repr(record))


def test_fast_balance_by_voice_then_pin(hotline: Hotline) -> None:
    async def scenario() -> CallRecord:
        call = hotline.caller(ADA)
        await call.start()
        await call.say("what is my balance")
        await call.press("2468")
        await call.hang_up()
        return await call.finish()

    record = run(scenario)
    assert turns(record)[:2] == [
        ("main", "speech", "balance", "matched"),
        ("pin", "keys", "digits", "verified"),
    ]
    assert record["status"] == "abandoned"


def test_fast_asking_for_a_person_is_a_transfer_with_the_reason(hotline: Hotline) -> None:
    async def scenario() -> CallRecord:
        call = hotline.caller(ADA)
        await call.start()
        await call.say("i want to talk to a person")
        return await call.finish()

    record = run(scenario)
    assert turns(record) == [("main", "speech", "agent", "matched")]
    assert record["transfer"] is not None
    assert record["transfer"]["reason"] == "caller_request"


def test_fast_unsure_speech_is_confirmed_before_acting(hotline: Hotline) -> None:
    async def scenario() -> tuple[CallRecord, FastCall]:
        call = hotline.caller(ALAN)
        await call.start()
        await call.say("my insurance policy", confidence=0.5)
        await call.say("yes")
        await call.press("1357")
        await call.hang_up()
        return await call.finish(), call

    record, _ = run(scenario)
    assert turns(record)[:3] == [
        ("main", "speech", "policy", "needs_confirmation"),
        ("confirm", "speech", "yes", "confirmed"),
        ("pin", "keys", "digits", "verified"),
    ]
    assert "lapsed" in said(record).lower()


def test_fast_two_no_matches_reach_an_agent(hotline: Hotline) -> None:
    async def scenario() -> CallRecord:
        call = hotline.caller(ADA)
        await call.start()
        await call.say("", confidence=0.0)
        await call.say("", confidence=0.0)
        return await call.finish()

    record = run(scenario)
    assert [outcome for *_, outcome in turns(record)] == ["no_match", "no_match"]
    assert record["transfer"] is not None and record["transfer"]["reason"] == "no_match"


def test_fast_silent_caller_is_reprompted_then_transferred(hotline: Hotline) -> None:
    async def scenario() -> CallRecord:
        call = hotline.caller(ADA)
        await call.start()
        return await call.finish()  # says nothing at all

    record = run(scenario)
    assert [outcome for *_, outcome in turns(record)] == ["no_input", "no_input"]
    assert record["transfer"] is not None and record["transfer"]["reason"] == "no_input"


def test_fast_speech_over_the_greeting_clears_it(hotline: Hotline) -> None:
    async def scenario() -> tuple[CallRecord, int]:
        call = hotline.caller(ADA)
        await call.start()
        await call.silence(400)  # the greeting is still playing
        assert call.twilio.playing
        await call.say("representative", barge=True)
        return await call.finish(), call.twilio.cleared

    record, cleared = run(scenario)
    assert cleared >= 1
    assert record["transfer"] is not None
    assert record["transfer"]["reason"] == "caller_request"


def test_fast_keys_typed_ahead_during_the_greeting_are_kept(hotline: Hotline) -> None:
    async def scenario() -> CallRecord:
        call = hotline.caller(ADA)
        await call.start()
        await call.press("1", barge=True)  # before the menu has finished
        await call.press("2468")
        await call.hang_up()
        return await call.finish()

    record = run(scenario)
    assert turns(record)[:2] == [
        ("main", "keys", "balance", "matched"),
        ("pin", "keys", "digits", "verified"),
    ]


def test_fast_three_wrong_pins_lock_out_and_transfer(hotline: Hotline) -> None:
    async def scenario() -> CallRecord:
        call = hotline.caller(ADA)
        await call.start()
        await call.press("1")
        for _ in range(3):
            await call.press("1111")
        return await call.finish()

    record = run(scenario)
    pins = [outcome for menu, _, _, outcome in turns(record) if menu == "pin"]
    assert pins[:2] == ["wrong_pin", "wrong_pin"] and pins[-1] in {"locked_out", "pin_locked"}
    assert record["transfer"] is not None
    assert record["transfer"]["reason"] in {"locked_out", "pin_locked"}


def test_fast_unknown_caller_verifies_by_account_number(hotline: Hotline) -> None:
    async def scenario() -> CallRecord:
        call = hotline.caller(UNKNOWN)
        await call.start()
        await call.press("1")
        await call.press("000055555555#")
        await call.press("1357")
        await call.hang_up()
        return await call.finish()

    record = run(scenario)
    menus = [(menu, outcome) for menu, _, _, outcome in turns(record)]
    assert menus[:3] == [("main", "matched"), ("account_number", "found"), ("pin", "verified")]
    assert "forty-two dollars and seventeen cents" in said(record)
    assert not shows("00005555", repr(record["turns"]))


def test_fast_each_utterance_is_recognized_with_the_menu_it_was_spoken_in(
    hotline: Hotline,
) -> None:
    async def scenario() -> None:
        call = hotline.caller(ALAN)
        await call.start()
        await call.say("my insurance policy", confidence=0.5)
        await call.say("yes")
        await call.hang_up()
        await call.finish()

    run(scenario)
    compiled = hotline.services.grammars.compiled()
    keys = [grammar.key for grammar in hotline.engine.opened]
    assert keys == [compiled["main"].recognizer.key, compiled["confirm"].recognizer.key]


def test_fast_pound_after_a_full_pin_does_not_cut_off_the_balance(hotline: Hotline) -> None:
    # "… then press pound": a four-digit PIN is complete at its fourth digit; the # that
    # callers add out of habit must not interrupt the balance it unlocked.
    async def scenario() -> tuple[CallRecord, FastCall]:
        call = hotline.caller(ADA)
        await call.start()
        await call.press("1")
        await call.press("2468#")
        await call.press("2")
        return await call.finish(), call

    record, call = run(scenario)
    assert "ten thousand two hundred fifty dollars" in heard(record, call)
    assert call.twilio.cut == []
    assert [outcome for *_, outcome in turns(record)] == ["matched", "verified", "matched"]


def test_fast_pound_after_a_full_account_number_does_not_skip_the_pin_prompt(
    hotline: Hotline,
) -> None:
    async def scenario() -> tuple[CallRecord, FastCall]:
        call = hotline.caller(UNKNOWN)
        await call.start()
        await call.press("1")
        await call.press("000055555555#")
        await call.press("1357")
        await call.hang_up()
        return await call.finish(), call

    record, call = run(scenario)
    assert "Please enter or say your four digit PIN." in heard(record, call)
    assert ("pin", "keys", "digits", "verified") in turns(record)
