"""Combining the grammar pass and the free-form pass into one decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from ivr.asr.base import Transcript
from ivr.asr.whisper_engine import DigitReading, FreeTranscript, TokenResult
from ivr.grammar import compile_grammar_set, load_grammar_dir
from ivr.grammar.compiler import CompiledMenu
from ivr.recognition.decide import (
    FAIRLY_SURE,
    NOT_UNDERSTOOD,
    SURE,
    UNSURE,
    Decision,
    DecisionPolicy,
    after_rehearing,
    decide,
)
from ivr.recognition.evidence import gather
from ivr.recognition.freepass import FreePass

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def menus() -> dict[str, CompiledMenu]:
    return dict(compile_grammar_set(load_grammar_dir(ROOT / "grammars" / "en")))


Hear = Callable[..., tuple[str, float, str, str]]


@pytest.fixture
def hear(menus: dict[str, CompiledMenu]) -> Hear:
    def run(
        menu: str,
        grammar: str,
        free: str | None,
        *,
        logprob: float = -0.2,
        no_speech: float = 0.02,
        grammar_conf: float = 0.85,
    ) -> tuple[str, float, str, str]:
        g = Transcript(grammar, grammar_conf if grammar else 0.0)
        f = None if free is None else FreeTranscript(free, logprob, no_speech)
        d = decide(gather(menus[menu], g, f))
        return d.meaning, d.confidence, d.reason, d.text

    return run


def test_decide_both_passes_agreeing_is_sure(hear: Hear) -> None:
    assert hear("main", "balance", "Balance.")[:3] == ("balance", SURE, "agree")


def test_decide_out_of_scope_forced_onto_a_sentence_is_no_match(hear: Hear) -> None:
    meaning, confidence, reason, text = hear(
        "main", "what's my balance", "What's the weather like in Boston?"
    )
    assert (meaning, confidence, reason) == ("", NOT_UNDERSTOOD, "forced")
    assert text == "what's the weather like in boston"  # recorded as what was said


def test_decide_a_paraphrase_found_by_key_phrase(hear: Hear) -> None:
    clear = hear("main", "i lost my card", "I'd like to know how much money I have.")
    assert clear[1:3] == (FAIRLY_SURE, "keyword")
    unsure = hear("main", "i lost my card", "how much money I have", logprob=-0.6)
    assert unsure[1:3] == (UNSURE, "keyword")


def test_decide_near_domain_request_is_rejected_even_with_a_keyword(hear: Hear) -> None:
    assert hear("main", "balance", "Can I do a balance transfer?")[1:3] == (0.0, "rejected")
    # Even when the grammar pass's sentence sounds just like it.
    assert hear("main", "balance", "Balance transfer.")[1:3] == (0.0, "rejected")


def test_decide_grammar_sentence_the_free_pass_misspelt_is_confirmed(hear: Hear) -> None:
    assert hear("main", "main menu", "Main Manu.", logprob=-1.0)[:3] == (
        "main menu",
        UNSURE,
        "misspelt",
    )


def test_decide_no_speech_makes_the_free_words_count_for_nothing(hear: Hear) -> None:
    meaning, confidence, _, _ = hear("main", "", "Thank you.", no_speech=0.9)
    assert (meaning, confidence) == ("", NOT_UNDERSTOOD)


def test_decide_digits_agreeing_are_sure_alone_need_a_clear_hearing(hear: Hear) -> None:
    assert hear("pin", "two four six eight", "2 4 6 8")[:3] == (
        "two four six eight",
        SURE,
        "agree",
    )
    alone = hear("pin", "two four eight eight", "My PIN is 2468.", logprob=-0.2)
    assert alone[:3] == ("two four six eight", FAIRLY_SURE, "free-digits")
    unsure = hear("pin", "two four eight eight", "2 4 6 8", logprob=-0.9)
    assert unsure[1] == UNSURE


def test_decide_without_a_second_pass_is_the_grammar_pass(hear: Hear) -> None:
    assert hear("main", "policy", None, grammar_conf=0.7)[:3] == ("policy", 0.7, "grammar-only")


def test_decide_a_whole_sentence_wins_over_a_reject_phrase(tmp_path: Path) -> None:
    # Ops may add a sentence that holds a reject phrase ("i need a mortgage" for an agent):
    # the sentence wins, in the decision as in `ivr grammar try`.
    (tmp_path / "g.yaml").write_text(
        """
language: en
reject: ["mortgage"]
menus:
  main:
    prompts: {initial: "Say agent.", reprompt: "Say agent.", no_input: "Say agent."}
    intents:
      agent: {say: ["agent", "i need a mortgage"]}
"""
    )
    main = compile_grammar_set(load_grammar_dir(tmp_path))["main"]
    heard = FreeTranscript("I need a mortgage.", -0.2, 0.0)
    evidence = gather(main, Transcript("i need a mortgage", 0.9), heard)
    assert not evidence.free_rejected
    assert decide(evidence).reason == "agree"
    other = gather(main, Transcript("agent", 0.9), FreeTranscript("My mortgage.", -0.2, 0.0))
    assert other.free_rejected and decide(other).confidence == NOT_UNDERSTOOD


def test_decide_a_digit_the_passes_dispute_needs_a_very_sure_free_pass(
    menus: dict[str, CompiledMenu],
) -> None:
    def heard(probabilities: list[float]) -> FreeTranscript:
        tokens = tuple(TokenResult(f"Ġ{d}", p) for d, p in zip("2468", probabilities, strict=True))
        return FreeTranscript("2 4 6 8", -0.2, 0.02, tokens)

    grammar = Transcript("two four eight eight", 0.9)  # disputes the third digit
    unsure = decide(gather(menus["pin"], grammar, heard([0.95, 0.95, 0.6, 0.95])))
    sure = decide(gather(menus["pin"], grammar, heard([0.95, 0.95, 0.9, 0.95])))
    assert (unsure.meaning, unsure.confidence) == ("two four six eight", UNSURE)
    assert (sure.meaning, sure.confidence) == ("two four six eight", FAIRLY_SURE)


def _pin(
    menus: dict[str, CompiledMenu],
    free: str,
    readings: tuple[DigitReading, ...],
    logprob: float,
    policy: DecisionPolicy | None = None,
) -> tuple[str, float, str]:
    heard = FreeTranscript(free, logprob, 0.02, (), readings)
    d = decide(gather(menus["pin"], Transcript("two four eight eight", 0.9), heard), policy)
    return d.meaning, d.confidence, d.reason


def test_decide_a_pin_the_free_pass_is_unsure_of_never_counts_by_default(
    menus: dict[str, CompiledMenu],
) -> None:
    # Even when the constrained search agrees with a clear lead: on held-out speech that
    # rule counted more wrong PINs (see DecisionPolicy.reading_margin).
    clear_lead = (DigitReading("2468", -1.2, 2.5, -0.2),)
    assert _pin(menus, "2 4 6 8", clear_lead, -0.9)[1:] == (UNSURE, "unsure-digits")


def test_decide_digits_the_constrained_search_confirms_count_when_configured(
    menus: dict[str, CompiledMenu],
) -> None:
    on = DecisionPolicy(reading_margin=2.0)
    # The free transcript alone is too unsure to count (-0.9) ...
    clear_lead = (DigitReading("2468", -1.2, 2.5, -0.2),)
    assert _pin(menus, "2 4 6 8", clear_lead, -0.9, on) == (
        "two four six eight",
        FAIRLY_SURE,
        "checked-digits",
    )
    # ... and a narrow lead, a poor score or another string leaves it to the keypad.
    narrow = (DigitReading("2468", -1.2, 1.0, -0.2),)
    improbable = (DigitReading("2468", -4.0, 3.0, -0.2),)
    other = (DigitReading("2469", -1.2, 2.5, -0.2),)
    for readings in (narrow, improbable, other):
        assert _pin(menus, "2 4 6 8", readings, -0.9, on)[1] == UNSURE


def test_decide_digits_of_another_length_more_probable_are_read_back_never_counted(
    menus: dict[str, CompiledMenu],
) -> None:
    # Twelve digits spoken, eleven transcribed (a dropped digit): the search's twelve win
    # as a whole, and the account number read back is theirs.
    readings = (
        DigitReading("000055555555", -1.0, 3.0, -0.1),
        DigitReading("00005555555", -0.9, 3.0, -4.0),
    )
    heard = FreeTranscript("0 0 0 0 5 5 5 5 5 5 5", -0.1, 0.02, (), readings)
    d = decide(gather(menus["account_number"], Transcript("", 0.0), heard))
    assert (d.meaning.split().count("five"), d.confidence, d.reason) == (8, UNSURE, "other-length")


def test_decide_unsure_digits_are_read_back_as_the_constrained_search_heard_them(
    menus: dict[str, CompiledMenu],
) -> None:
    readings = (DigitReading("123456789012", -2.5, 0.4, -0.1),)
    heard = FreeTranscript("1 2 3 4 5 6 7 8 9 0 1 3", -0.9, 0.02, (), readings)
    d = decide(gather(menus["account_number"], Transcript("", 0.0), heard))
    assert (d.meaning, d.confidence) == (
        "one two three four five six seven eight nine zero one two",
        UNSURE,
    )


def test_decide_a_second_hearing_counts_only_when_it_understood_something() -> None:
    first = Decision("malice please", "", NOT_UNDERSTOOD, "rejected")
    understood = Decision("Balance, please.", "balance please", FAIRLY_SURE, "keyword")
    assert after_rehearing(first, understood) == replace(
        understood, reason="keyword, re-heard faster"
    )
    nothing = Decision("", "", NOT_UNDERSTOOD, "rejected")
    assert after_rehearing(first, nothing) is first


def test_decide_a_first_hearing_that_understood_is_never_replaced() -> None:
    first = Decision("Balance.", "balance", SURE, "agree")
    other = Decision("Policy.", "policy", SURE, "free")
    assert after_rehearing(first, other) is first


def test_decide_second_hearings_are_never_for_digits(menus: dict[str, CompiledMenu]) -> None:
    class NoEngine:  # rehears() decides from the menu and the setting alone
        pass

    free = FreePass(NoEngine(), rehear_speed=1.12)  # type: ignore[arg-type]
    assert free.rehears(menus["main"])
    assert not free.rehears(menus["pin"]) and not free.rehears(menus["account_number"])
    assert not FreePass(NoEngine(), rehear_speed=1.0).rehears(menus["main"])  # type: ignore[arg-type]
