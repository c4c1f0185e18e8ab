"""Compiled menus match recognized text exactly and give recognizers the same language."""

from __future__ import annotations

import pytest

from ivr.grammar import (
    DIGITS_INTENT,
    DigitSpec,
    GrammarError,
    Intent,
    Menu,
    Prompts,
    SlotList,
    SlotValue,
    compile_menu,
    try_text,
)
from ivr.grammar.compiler import MAX_EXPANSIONS

PROMPTS = Prompts("Say something.", "Say it again.", "Hello?")
ACCOUNT_TYPE = SlotList(
    "account_type",
    (SlotValue("checking", ("checking", "current")), SlotValue("savings", ("savings",))),
)


def make_menu(
    intents: dict[str, list[str]],
    digits: DigitSpec | None = None,
    keys: dict[str, str] | None = None,
) -> Menu:
    keys = keys or {}
    return Menu(
        "test",
        PROMPTS,
        tuple(
            Intent(name, keys.get(name), None, tuple(templates), "test.yaml", 1)
            for name, templates in intents.items()
        ),
        digits,
        "test.yaml",
        1,
        (ACCOUNT_TYPE,),
    )


BANK = make_menu(
    {
        "balance": ["[what is | what's] my [account] balance", "check my {account_type} balance"],
        "agent": ["agent", "[i want to] (talk | speak) to (a person | an agent)"],
        "no": ["no"],
    },
    keys={"balance": "1", "agent": "0"},
)


def test_match_exact_phrase_returns_intent_and_source_template() -> None:
    match = compile_menu(BANK).match("what's my account balance")
    assert match is not None
    assert (match.intent, match.template) == ("balance", "[what is | what's] my [account] balance")
    assert match.phrase == "what's my account balance"


def test_match_ignores_case_punctuation_and_spacing() -> None:
    match = compile_menu(BANK).match("  What's   my BALANCE? ")
    assert match is not None and match.intent == "balance"


def test_match_slot_phrase_returns_slot_value_not_spoken_word() -> None:
    match = compile_menu(BANK).match("check my current balance")
    assert match is not None
    assert dict(match.slots) == {"account_type": "checking"}


@pytest.mark.parametrize(
    "text", ["", "hello", "my", "what's my", "balance please", "speak to a", "no no"]
)
def test_match_out_of_grammar_or_partial_text_returns_none(text: str) -> None:
    assert compile_menu(BANK).match(text) is None


def test_recognizer_phrases_are_every_expansion_lower_case() -> None:
    recognizer = compile_menu(BANK).recognizer
    assert "i want to talk to a person" in recognizer.phrases
    assert len(recognizer.phrases) == len(set(recognizer.phrases)) == 6 + 3 + 1 + 8 + 1
    assert all(p == p.lower() for p in recognizer.phrases)
    assert recognizer.words >= {"balance", "what's", "current", "checking"}


def test_recognizer_key_changes_when_templates_change() -> None:
    other = make_menu({"no": ["no", "nope"]})
    assert compile_menu(BANK).recognizer.key != compile_menu(other).recognizer.key
    assert compile_menu(BANK).recognizer.key == compile_menu(BANK).recognizer.key


def test_sample_returns_accepted_phrases_up_to_limit() -> None:
    compiled = compile_menu(BANK)
    assert compiled.sample(3) == ["my balance", "my account balance", "what is my balance"]
    assert all(compiled.match(phrase) for phrase in compiled.sample())


def test_compile_phrase_in_two_intents_raises_naming_both() -> None:
    menu = make_menu({"yes": ["yes", "right"], "no": ["no", "(not | right)"]})
    with pytest.raises(GrammarError) as caught:
        compile_menu(menu)
    assert "'right' is accepted by both intents 'yes' and 'no'" in str(caught.value)


def test_compile_expansion_blow_up_raises_with_counts() -> None:
    huge = " ".join(["(a | b | c | d)"] * 7)  # 4**7 = 16384 sentences
    with pytest.raises(GrammarError) as caught:
        compile_menu(make_menu({"big": [huge]}))
    assert f"accepts 16384 sentences (limit {MAX_EXPANSIONS})" in str(caught.value)


def test_compile_malformed_template_built_in_code_raises_grammar_error() -> None:
    with pytest.raises(GrammarError, match="never closed"):
        compile_menu(make_menu({"broken": ["(a | b"]}))


PIN = make_menu({"agent": ["agent"], "repeat": ["repeat [that]"]}, digits=DigitSpec(4, 4))
ACCOUNT = make_menu({"agent": ["agent"]}, digits=DigitSpec(4, 12))


def test_digits_match_spoken_digits_returns_digit_string() -> None:
    match = compile_menu(PIN).match("two four six eight")
    assert match is not None
    assert (match.intent, dict(match.slots)) == (DIGITS_INTENT, {"digits": "2468"})


def test_digits_match_oh_and_numerals_count_as_digits() -> None:
    assert compile_menu(PIN).match("oh one 2 3") is not None
    match = compile_menu(ACCOUNT).match("1234 five six")
    assert match is not None and match.slots["digits"] == "123456"


@pytest.mark.parametrize("text", ["two four six", "one two three four five", "one two three for"])
def test_digits_match_wrong_length_or_non_digit_returns_none(text: str) -> None:
    assert compile_menu(PIN).match(text) is None


def test_digits_match_global_phrase_returns_that_intent() -> None:
    match = compile_menu(PIN).match("repeat that")
    assert match is not None and match.intent == "repeat"


def test_digits_recognizer_phrases_are_digit_words_then_intent_phrases() -> None:
    phrases = compile_menu(PIN).recognizer.phrases
    assert phrases[:3] == ("zero", "oh", "one")
    assert phrases[-3:] == ("agent", "repeat", "repeat that")


def test_digits_menu_intent_phrase_made_of_digit_words_is_rejected() -> None:
    with pytest.raises(GrammarError, match="would be heard as digits"):
        compile_menu(make_menu({"oops": ["one two three four"]}, digits=DigitSpec(4, 4)))


def test_try_text_explains_match_and_suggests_on_no_match() -> None:
    compiled = compile_menu(BANK)
    assert try_text(compiled, "check my savings balance") == (
        "'check my savings balance' -> balance\n"
        "  slots: account_type=savings\n"
        "  why: template 'check my {account_type} balance' at test.yaml:1"
    )
    assert "closest accepted: 'my balance'" in try_text(compiled, "my balanc")


def test_compile_template_that_can_be_silent_raises() -> None:
    with pytest.raises(GrammarError, match="can match silence"):
        compile_menu(make_menu({"maybe": ["[yes | please]"]}))
