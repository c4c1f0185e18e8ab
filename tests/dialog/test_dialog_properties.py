"""Property tests: random event sequences never break the engine's contract."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.dialog.backend import (
    AccountInfo,
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
    "balance", "policy", "lost card", "goodbye", "agent", "repeat", "main menu", "yes", "no",
    "auto", "home", "life", "two four six eight", "one two three four five", "", "pizza",
]
customers = st.builds(CustomerInfo, st.integers(1, 5), st.just("Ada"), st.booleans())
policies = st.builds(
    PolicyInfo,
    st.sampled_from(["AP-1", "HP-2", "LP-3"]),
    st.sampled_from(["auto", "home", "life"]),
    st.sampled_from(["active", "lapsed", "pending"]),
    st.integers(-10**6, 10**8),
    st.none() | st.just(date(2026, 12, 15)),
)
results = st.one_of(
    st.builds(CustomerFound, st.none() | customers, st.none() | st.just("2026-01-01")),
    st.builds(PinChecked, st.booleans(), st.booleans(), st.integers(0, 3)),
    st.builds(
        Balances,
        st.lists(
            st.builds(AccountInfo, st.just("checking"), st.just("1234"), st.integers(-10**9, 10**9)),
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
sequences = st.lists(st.one_of(events, events, events, events, st.just(CallerHungUp())), max_size=40)
policies_st = st.builds(
    DialogPolicy,
    confirm_below=st.floats(0, 1),
    max_consecutive_failures=st.integers(1, 4),
    max_total_failures=st.integers(1, 5),
)


@settings(max_examples=400, deadline=None)
@given(st.just(CallStarted(CALL_SID, "+15550100001", "")).map(lambda e: [e]) | st.just([]),
       sequences, policies_st)
def test_step_random_sequences_keep_the_contract(
    prefix: list[Event], tail: list[Event], policy: DialogPolicy
) -> None:
    ctx = make_ctx(policy)
    state = new_call_state(CALL_SID)
    finished = False
    inputs_while_active = 0
    turns_recorded = 0
    for event in [*prefix, *tail]:
        was_active = state.status == "active"
        state, effects = step(ctx, state, event)
        if finished:
            assert effects == []
            continue
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
        turns_recorded += recorded
        if isinstance(event, Heard | KeysEntered | NoInput) and was_active:
            inputs_while_active += 1
            # One turn now, or one deferred until the store decides (PIN / account number).
            if recorded == 0:
                assert state.pending_turn is not None
                assert kinds == [Request]
            else:
                assert recorded == 1
        if Transfer in kinds or HangUp in kinds or isinstance(event, CallerHungUp):
            finished = True
            assert state.status != "active"
        if state.status == "active":
            # Never silent without a reason: either listening or waiting on a live request.
            assert (state.menu is None) == (state.waiting_for is not None)
            if state.waiting_for is not None:
                assert state.waiting_for in {p.purpose for p in state.pending}
    assert turns_recorded + (state.pending_turn is not None) == inputs_while_active
