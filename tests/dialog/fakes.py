"""A tiny dict-based MenuGrammar and helpers to drive the engine in tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from ivr.dialog.backend import (
    AccountInfo,
    BackendResult,
    CustomerFound,
    CustomerInfo,
    PinChecked,
    PolicyInfo,
)
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import (
    Effect,
    Listen,
    Play,
    RecordTurn,
    Request,
    Transfer,
    TurnRecord,
)
from ivr.dialog.engine import step
from ivr.dialog.events import BackendAnswered, CallStarted, Event, Heard, KeysEntered
from ivr.dialog.policy import DialogPolicy
from ivr.dialog.ports import GrammarMatch, MenuPrompts
from ivr.dialog.state import CallState, new_call_state

T = TypeVar("T")

CALL_SID = "CA" + "0" * 32
KNOWN_CALLER = "+15550100001"
CUSTOMER = CustomerInfo(id=7, name="Ada Lovelace", locked=False)
PIN = "2468"
ACCOUNT = "9876543210"

GLOBAL_PHRASES = {
    "agent": "agent",
    "representative": "agent",
    "repeat": "repeat",
    "main menu": "main_menu",
}
PHRASES: dict[str, dict[str, str]] = {
    "main": {
        "balance": "balance",
        "my balance": "balance",
        "policy": "policy",
        "lost card": "lost_card",
        "fraud": "fraud",
        "goodbye": "goodbye",
    },
    "confirm": {"yes": "yes", "no": "no"},
    "anything_else": {"yes": "yes", "no": "no", "balance": "balance", "policy": "policy"},
    "policy_choice": {"auto": "auto", "home": "home", "life": "life"},
    "pin": {},
    "account_number": {},
}
KEYS: dict[str, dict[str, str]] = {
    "main": {"1": "balance", "2": "policy", "4": "fraud", "0": "agent"},
    "confirm": {"1": "yes", "2": "no", "0": "agent"},
    "anything_else": {"1": "yes", "2": "no", "0": "agent"},
    "policy_choice": {"1": "auto", "2": "home", "3": "life", "0": "agent"},
}
DIGITS_MENUS = {"pin": (4, 4), "account_number": (4, 12)}
DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
CONFIRM_PHRASES = {("main", "balance"): "your balance", ("main", "policy"): "your policy"}


@dataclass(frozen=True)
class FakeGrammar:
    """Exact-phrase matching; ``overrides`` plays the role of ops-edited messages."""

    overrides: Mapping[str, str] = field(default_factory=dict)

    def match(self, menu_id: str, text: str) -> GrammarMatch | None:
        words = text.lower().split()
        if menu_id in DIGITS_MENUS and words and all(w in DIGIT_WORDS for w in words):
            return GrammarMatch("digits", {"digits": "".join(DIGIT_WORDS[w] for w in words)})
        phrase = " ".join(words)
        intent = PHRASES.get(menu_id, {}).get(phrase) or GLOBAL_PHRASES.get(phrase)
        return GrammarMatch(intent) if intent else None

    def intent_for_key(self, menu_id: str, key: str) -> str | None:
        return KEYS.get(menu_id, {}).get(key)

    def prompts(self, menu_id: str) -> MenuPrompts:
        return MenuPrompts(f"{menu_id} initial", f"{menu_id} reprompt", f"{menu_id} no input")

    def is_digits_menu(self, menu_id: str) -> tuple[int, int] | None:
        return DIGITS_MENUS.get(menu_id)

    def confirm_phrase(self, menu_id: str, intent: str) -> str | None:
        return CONFIRM_PHRASES.get((menu_id, intent))

    def message(self, key: str, default: str) -> str:
        return self.overrides.get(key, default)


def make_ctx(policy: DialogPolicy | None = None, **overrides: str) -> DialogContext:
    return DialogContext(FakeGrammar(overrides), policy or DialogPolicy())


def run(ctx: DialogContext, state: CallState, *events: Event) -> tuple[CallState, list[Effect]]:
    """Feed ``events`` in order; returns the final state and the effects of the last one."""
    effects: list[Effect] = []
    for event in events:
        state, effects = step(ctx, state, event)
    return state, effects


def run_all(
    ctx: DialogContext, state: CallState, events: Iterable[Event]
) -> tuple[CallState, list[Effect]]:
    """Feed ``events``; returns the final state and every effect emitted, in order."""
    emitted: list[Effect] = []
    for event in events:
        state, effects = step(ctx, state, event)
        emitted += effects
    return state, emitted


def start(ctx: DialogContext, caller: str = KNOWN_CALLER) -> tuple[CallState, list[Effect]]:
    return step(ctx, new_call_state(CALL_SID), CallStarted(CALL_SID, caller, "+15550009999"))


def texts(effects: Iterable[Effect]) -> list[str]:
    return [e.text for e in effects if isinstance(e, Play)]


def turns(effects: Iterable[Effect]) -> list[TurnRecord]:
    return [e.turn for e in effects if isinstance(e, RecordTurn)]


def requests(effects: Iterable[Effect]) -> list[Request]:
    return [e for e in effects if isinstance(e, Request)]


def listens(effects: Iterable[Effect]) -> list[Listen]:
    return [e for e in effects if isinstance(e, Listen)]


def only(items: Sequence[T]) -> T:
    assert len(items) == 1, items
    return items[0]


def transfer_of(effects: Sequence[Effect]) -> Transfer:
    """The Transfer ending ``effects``; every transfer must be announced by a Play first."""
    transfer = effects[-1]
    assert isinstance(transfer, Transfer), effects
    assert isinstance(effects[-2], Play), effects
    return transfer


def answer(effects: Iterable[Effect], result: BackendResult) -> BackendAnswered:
    """The store's answer to the single Request in ``effects``."""
    (request,) = requests(effects)
    return BackendAnswered(request.request_id, result)


def known_caller_at_main(ctx: DialogContext) -> CallState:
    """A call whose caller ID matched CUSTOMER, listening at the main menu."""
    state, effects = start(ctx)
    state, _ = step(ctx, state, answer(effects, CustomerFound(CUSTOMER)))
    return state


def verified_for(ctx: DialogContext, intent_key: str) -> tuple[CallState, list[Effect]]:
    """Known caller picks a service by key, enters the right PIN; returns the service Request."""
    state = known_caller_at_main(ctx)
    state, effects = step(ctx, state, KeysEntered(intent_key))
    state, effects = step(ctx, state, KeysEntered(PIN))
    return step(ctx, state, answer(effects, PinChecked(ok=True, locked=False, attempts_left=3)))


def heard(text: str, confidence: float = 0.9) -> Heard:
    return Heard(text, confidence)


CHECKING = AccountInfo("checking", "1234", 251743)
SAVINGS = AccountInfo("savings", "5678", -1205)
AUTO = PolicyInfo("AP-1001", "auto", "active", 9650, date(2026, 12, 15))
HOME_LAPSED = PolicyInfo("HP-2002", "home", "lapsed", 12000, date(2025, 1, 1))
LIFE = PolicyInfo("LP-3003", "life", "active", 4500, None)
