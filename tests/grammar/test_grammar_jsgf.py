"""JSGF output has the shape PocketSphinx expects, and PocketSphinx accepts it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ivr.grammar import DigitSpec, Intent, Menu, Prompts, compile_menu
from ivr.grammar.jsgf import digits_rule

pocketsphinx = pytest.importorskip("pocketsphinx", reason="pocketsphinx is not installed")

PROMPTS = Prompts("a", "b", "c")


def make_menu(digits: DigitSpec | None = None) -> Menu:
    intents = (
        Intent("balance", "1", None, ("[what is | what's] my balance",), "t.yaml", 1),
        Intent("agent", "0", None, ("(talk | speak) to [an] agent", "agent"), "t.yaml", 2),
    )
    return Menu("main", PROMPTS, intents, digits, "t.yaml", 1)


def test_jsgf_declares_public_main_choosing_one_rule_per_intent() -> None:
    jsgf = compile_menu(make_menu()).recognizer.jsgf
    lines = jsgf.splitlines()
    assert lines[0] == "#JSGF V1.0;"
    assert lines[1] == "grammar menu_main;"
    assert lines[2] == "public <main> = <intent_balance> | <intent_agent>;"
    assert "<intent_balance> = ([what is | what's] my balance);" in lines
    assert "<intent_agent> = ((talk | speak) to [an] agent) | (agent);" in lines


def test_jsgf_digits_rule_bounds_repetition_with_nested_optionals() -> None:
    assert digits_rule(DigitSpec(2, 2)) == "<digit> <digit>"
    assert digits_rule(DigitSpec(1, 3)) == "<digit> [<digit> [<digit>]]"


def test_jsgf_digits_menu_offers_digits_beside_intents() -> None:
    jsgf = compile_menu(make_menu(DigitSpec(4, 6))).recognizer.jsgf
    assert "public <main> = <digits> | <intent_balance> | <intent_agent>;" in jsgf
    assert "<digit> = zero | oh | one | two" in jsgf


@pytest.mark.parametrize("digits", [None, DigitSpec(4, 12)])
def test_jsgf_is_accepted_by_pocketsphinx_decoder(tmp_path: Path, digits: DigitSpec | None) -> None:
    path = tmp_path / "menu.gram"
    path.write_text(compile_menu(make_menu(digits)).recognizer.jsgf, encoding="utf-8")
    model = os.path.join(pocketsphinx.get_model_path(), "en-us")
    pocketsphinx.Decoder(
        hmm=os.path.join(model, "en-us"),
        dict=os.path.join(model, "cmudict-en-us.dict"),
        jsgf=str(path),
        loglevel="FATAL",
    )
