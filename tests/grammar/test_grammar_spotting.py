"""Key phrases and reject phrases: what a free-form sentence means in a menu, and why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.grammar import GrammarError, compile_menu, load_grammar_dir
from ivr.grammar.compiler import CompiledMenu
from ivr.grammar.sampler import try_text
from ivr.grammar.spotting import KeyPhrase, Spotter, explain

WriteGrammar = Callable[..., Path]

SPOTTING = """\
language: en
slots:
  kind:
    auto: [car, auto]
    home: [house, home]
reject:
  - "(open | close) [a | an] [new] account"
menus:
  main:
    prompts:
      initial: "Say balance, policy or agent."
      reprompt: "Press 1 for balances."
      no_input: "Press 1 for balances."
    reject:
      - "balance transfer"
    intents:
      balance:
        key: "1"
        say: ["balance"]
        keywords:
          - "(balance | balances)"
          - "how much (money | cash)"
      policy:
        say: ["policy"]
        keywords:
          - "{kind} insurance"
          - "insurance"
      lost_card:
        say: ["lost card"]
        keywords:
          - "card ... (lost | stolen)"
      agent:
        say: ["agent"]
        keywords:
          - "(talk | speak) to (someone | a person)"
"""


@pytest.fixture
def main(write_grammar: WriteGrammar) -> CompiledMenu:
    return compile_menu(load_grammar_dir(write_grammar(main=SPOTTING)).menu("main"))


def test_spotting_finds_a_key_phrase_inside_a_longer_sentence(main: CompiledMenu) -> None:
    found = main.understand("uh yeah I was wondering how much money I've got")
    assert found is not None and found.intent == "balance" and found.how == "keyword"
    assert found.template == "how much (money | cash)"


def test_spotting_an_exact_sentence_wins_over_key_phrases(main: CompiledMenu) -> None:
    found = main.understand("balance")
    assert found is not None and found.how == "sentence"


def test_spotting_slots_come_from_the_deciding_phrase(main: CompiledMenu) -> None:
    found = main.understand("is my car insurance still active")
    assert found is not None and found.intent == "policy"
    assert dict(found.slots) == {"kind": "auto"}


def test_spotting_a_gap_stands_for_a_few_words_only(main: CompiledMenu) -> None:
    near = main.understand("my credit card has been reported as lost")
    assert near is not None and near.intent == "lost_card"
    # Too far apart: two halves of a long sentence do not make a phrase.
    assert main.understand("the card I got in the mail last week is the one I lost") is None


def test_spotting_a_reject_phrase_vetoes_every_intent(main: CompiledMenu) -> None:
    assert main.understand("I want a balance transfer") is None
    assert main.understand("I'd like to open a new account and check my balance") is None
    assert main.spot("balance transfer please").reason == "rejected"


def test_spotting_the_intent_covering_more_words_wins(main: CompiledMenu) -> None:
    found = main.understand("can I talk to a person about my insurance")
    assert found is not None and found.intent == "agent"  # 4 words against 1


def test_spotting_a_tie_between_intents_is_no_match(main: CompiledMenu) -> None:
    spot = main.spot("insurance balance")
    assert spot.intent is None and spot.reason == "ambiguous"
    assert main.understand("insurance balance") is None


def test_spotting_nothing_known_is_no_match(main: CompiledMenu) -> None:
    assert main.understand("what's the weather like in Boston") is None
    assert main.spot("what's the weather like").reason == "no key phrase"


def test_try_explains_keyword_and_reject_decisions(main: CompiledMenu) -> None:
    spotted = try_text(main, "how much cash do I have")
    assert "-> balance" in spotted and "key phrase 'how much (money | cash)'" in spotted
    rejected = try_text(main, "balance transfer")
    assert "no match" in rejected and "reject phrase 'balance transfer'" in rejected


def test_spotter_explain_names_file_and_line() -> None:
    phrase = KeyPhrase(("lost", "card"), "lost_card", "lost card", "g/main.yaml", 7)
    spot = Spotter([phrase]).spot(["i", "lost", "card"])
    assert explain(spot) == "key phrase 'lost card' at g/main.yaml:7"


def test_loader_reads_keywords_with_their_lines(write_grammar: WriteGrammar) -> None:
    gs = load_grammar_dir(write_grammar(main=SPOTTING))
    balance = gs.menu("main").intent("balance")
    assert balance is not None
    assert balance.keywords == ("(balance | balances)", "how much (money | cash)")
    assert balance.keyword_lines == (21, 22)
    rejects = [r.template for r in gs.menu("main").reject]
    # The menu's own reject phrases, then the set's.
    assert rejects == ["balance transfer", "(open | close) [a | an] [new] account"]


def test_loader_refuses_a_key_phrase_of_two_intents(write_grammar: WriteGrammar) -> None:
    text = SPOTTING.replace('          - "insurance"\n', '          - "how much money"\n')
    with pytest.raises(GrammarError) as caught:
        load_grammar_dir(write_grammar(main=text))
    message = str(caught.value)
    assert "'how much money' is already a key phrase of intent 'balance'" in message


def test_loader_refuses_a_gap_at_the_edge_or_in_a_sentence(write_grammar: WriteGrammar) -> None:
    edge = SPOTTING.replace('"card ... (lost | stolen)"', '"... lost"')
    with pytest.raises(GrammarError, match=r"'\.\.\.' must stand between words"):
        load_grammar_dir(write_grammar(main=edge))
    sentence = SPOTTING.replace('say: ["lost card"]', 'say: ["lost ... card"]')
    with pytest.raises(GrammarError, match="belongs in keywords and reject phrases"):
        load_grammar_dir(write_grammar(main=sentence))


def test_loader_refuses_an_unknown_slot_in_a_keyword(write_grammar: WriteGrammar) -> None:
    text = SPOTTING.replace('"{kind} insurance"', '"{knd} insurance"')
    with pytest.raises(GrammarError, match=r"unknown slot list \{knd\}"):
        load_grammar_dir(write_grammar(main=text))
