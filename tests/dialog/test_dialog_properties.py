"""Property tests: random event sequences never break the engine's contract."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.dialog.backend import (
    AccountInfo,
    BackendResult,
    Balances,
    CustomerFound,
    CustomerInfo,
    PinChecked,
    Policies,
    PolicyInfo,
)
from ivr.dialog.effects import HangUp, Listen, Play, RecordTurn, Request, Transfer
from ivr.dialog.engine import step
from ivr.dialog.events import (
    BackendAnswered,
    BackendFailed,
    CallerHungUp,
    CallStarted,
    Event,
    Heard,
    KeysEntered,
    NoInput,
    PromptFinished,
)
from ivr.dialog.policy import DialogPolicy
from ivr.dialog.state import new_call_state

from .fakes import CALL_SID, make_ctx

WORDS = [
    "balance",
    "policy",
    "lost card",
    "goodbye",
    "agent",
    "repeat",
    "main menu",
    "yes",
    "no",
    "auto",
    "home",
    "life",
    "two four six eight",
    "one two three four five",
    "",
    "pizza",
]
customers = st.builds(CustomerInfo, st.integers(1, 5), st.just("Ada"), st.booleans())
policies = st.builds(
    PolicyInfo,
    st.sampled_from(["AP-1", "HP-2", "LP-3"]),
    st.sampled_from(["auto", "home", "life"]),
    st.sampled_from(["active", "lapsed", "pending"]),
    st.integers(-(10**6), 10**8),
    st.none() | st.just(date(2026, 12, 15)),
)
results = st.one_of(
    st.builds(CustomerFound, st.none() | customers, st.none() | st.just("2026-01-01")),
    st.builds(PinChecked, st.booleans(), st.booleans(), st.integers(0, 3)),
    st.builds(
        Balances,
        st.lists(
            st.builds(
                AccountInfo, st.just("checking"), st.just("1234"), st.integers(-(10**9), 10**9)
            ),
            max_size=3,
        ).map(tuple),
    ),
    st.builds(Policies, st.lists(policies, max_size=4).map(tuple)),
)
request_ids = st.sampled_from([f"r{i}" for i in range(8)])
events: st.SearchStrategy[Event] = st.one_of(
    st.builds(CallStarted, st.just(CALL_SID), st.sampled_from(["", "+15550100001"]), st.just("")),
    st.builds(Heard, st.sampled_from(WORDS) | st.text(max_size=12), st.floats(0, 1)),
    st.builds(KeysEntered, st.text(alphabet="0123456789*#", max_size=13)),
    st.just(NoInput()),
    st.builds(PromptFinished, st.text(max_size=5)),
    st.builds(BackendAnswered, request_ids, results),
    st.builds(BackendFailed, request_ids, st.just("boom")),
)
# Hang-ups are rare so most sequences get deep into the flows.
sequences = st.lists(
    st.one_of(events, events, events, events, st.just(CallerHungUp())), max_size=40
)
policies_st = st.builds(
    DialogPolicy,
    confirm_below=st.floats(0, 1),
    max_consecutive_failures=st.integers(1, 4),
    max_total_failures=st.integers(1, 5),
)


class ContractChecker:
    """Feeds events one by one and asserts the engine's contract after each step."""

    def __init__(self, policy: DialogPolicy) -> None:
        self.ctx = make_ctx(policy)
        self.state = new_call_state(CALL_SID)
        self.finished = False
        self.inputs_while_active = 0
        self.turns_recorded = 0

    def feed(self, event: Event) -> None:
        was_active = self.state.status == "active"
        state, effects = step(self.ctx, self.state, event)
        self.state = state
        if self.finished:
            assert effects == []
            return
        kinds = [type(e) for e in effects]
        # Turns are committed before anything is spoken; Listen/Transfer/HangUp end a step.
        if Play in kinds and RecordTurn in kinds:
            assert max(i for i, k in enumerate(kinds) if k is RecordTurn) < kinds.index(Play)
        for final in (Listen, Transfer, HangUp):
            if final in kinds:
                assert kinds.count(final) == 1 and kinds[-1] is final
        if Transfer in kinds:
            assert kinds[-2] is Play  # announced
        recorded = kinds.count(RecordTurn)
        self.turns_recorded += recorded
        if isinstance(event, Heard | KeysEntered | NoInput) and was_active:
            self.inputs_while_active += 1
            # One turn now, or one deferred until the store decides (PIN / account number).
            if recorded == 0:
                assert state.pending_turn is not None
                assert kinds == [Request]
            else:
                assert recorded == 1
        if Transfer in kinds or HangUp in kinds or isinstance(event, CallerHungUp):
            self.finished = True
            assert state.status != "active"
        if state.status == "active":
            # Never silent without a reason: either listening or waiting on a live request.
            assert (state.menu is None) == (state.waiting_for is not None)
            if state.waiting_for is not None:
                assert state.waiting_for in {p.purpose for p in state.pending}

    def check_end(self) -> None:
        pending = self.state.pending_turn is not None
        assert self.turns_recorded + pending == self.inputs_while_active


@settings(max_examples=400, deadline=None)
@given(
    st.just(CallStarted(CALL_SID, "+15550100001", "")).map(lambda e: [e]) | st.just([]),
    sequences,
    policies_st,
)
def test_step_random_sequences_keep_the_contract(
    prefix: list[Event], tail: list[Event], policy: DialogPolicy
) -> None:
    checker = ContractChecker(policy)
    for event in [*prefix, *tail]:
        checker.feed(event)
    checker.check_end()


_RESULT_FOR: dict[str, st.SearchStrategy[BackendResult]] = {
    "phone_lookup": st.builds(CustomerFound, st.none() | customers),
    "account_lookup": st.builds(CustomerFound, st.none() | customers),
    "verify_pin": st.builds(PinChecked, st.booleans(), st.booleans(), st.integers(0, 3)),
    "balances": st.builds(
        Balances,
        st.lists(
            st.builds(
                AccountInfo, st.just("savings"), st.just("0001"), st.integers(-(10**9), 10**9)
            ),
            max_size=3,
        ).map(tuple),
    ),
    "policies": st.builds(Policies, st.lists(policies, max_size=4).map(tuple)),
}
_GOOD_KEYS = {
    "main": ["1", "2"],
    "pin": ["2468"],
    "account_number": ["98765"],
    "confirm": ["1"],
    "anything_else": ["1", "2"],
    "policy_choice": ["1", "2", "3"],
}
_MENU_INPUTS = st.one_of(
    st.builds(Heard, st.sampled_from(WORDS), st.floats(0, 1)),
    st.builds(KeysEntered, st.sampled_from(["0", "1", "2", "3", "9", "2468", "12", "98765"])),
    st.just(NoInput()),
)


@settings(max_examples=300, deadline=None)
@given(st.data(), policies_st)
def test_step_guided_conversations_keep_the_contract(
    data: st.DataObject, policy: DialogPolicy
) -> None:
    """Like the random test, but answering real requests so deep flows are reached."""
    checker = ContractChecker(policy)
    checker.feed(CallStarted(CALL_SID, data.draw(st.sampled_from(["", "+15550100001"])), ""))
    for _ in range(data.draw(st.integers(0, 30))):
        pending = checker.state.pending
        choice = data.draw(st.integers(0, 19))
        waiting = checker.state.waiting_for is not None
        if pending and (choice < 8 or (waiting and choice < 17)):
            request = data.draw(st.sampled_from(pending))
            if choice == 0:
                event: Event = BackendFailed(request.request_id, "down")
            elif choice == 1:
                event = BackendAnswered(request.request_id, data.draw(results))
            else:
                result = data.draw(_RESULT_FOR[request.purpose])
                event = BackendAnswered(request.request_id, result)
        elif choice == 19:
            event = CallerHungUp()
        elif choice < 14 and checker.state.menu in _GOOD_KEYS:
            # Mostly cooperative callers, so verification and answers are reached.
            event = KeysEntered(data.draw(st.sampled_from(_GOOD_KEYS[checker.state.menu])))
        else:
            event = data.draw(_MENU_INPUTS)
        checker.feed(event)
    checker.check_end()
