"""Identification and PIN verification before any account data."""

from __future__ import annotations

import pytest

from ivr.dialog.backend import (
    Balances,
    CustomerFound,
    CustomerInfo,
    FindCustomerByAccount,
    GetBalances,
    GetPolicies,
    PinChecked,
    VerifyPin,
)
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Listen, Play, RecordTurn, Request, Transfer, TurnRecord
from ivr.dialog.engine import step
from ivr.dialog.events import BackendFailed, KeysEntered
from ivr.dialog.outcomes import TurnOutcome
from ivr.dialog.state import CallState

from .fakes import (
    ACCOUNT,
    CHECKING,
    CUSTOMER,
    PIN,
    answer,
    heard,
    known_caller_at_main,
    listens,
    only,
    requests,
    start,
    texts,
    turns,
)

LOCKED = CustomerInfo(id=9, name="Bob Locked", locked=True)
WRONG = PinChecked(ok=False, locked=False, attempts_left=2)
RIGHT = PinChecked(ok=True, locked=False, attempts_left=3)


def _at_pin(ctx: DialogContext, service: str = "1") -> CallState:
    state = known_caller_at_main(ctx)
    return step(ctx, state, KeysEntered(service))[0]


def _at_account_number(ctx: DialogContext) -> CallState:
    state, _ = start(ctx, caller="")
    return step(ctx, state, KeysEntered("1"))[0]


def test_verification_pin_keys_sends_verify_and_defers_turn(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_pin(ctx), KeysEntered(PIN))
    assert effects == [Request("r1", VerifyPin(7, PIN))]
    assert state.menu is None
    assert state.waiting_for == "verify_pin"
    assert state.pending_turn == TurnRecord(
        "pin", "keys", "****", "digits", None, TurnOutcome.MATCHED
    )


def test_verification_right_pin_records_verified_and_fetches_balance(
    ctx: DialogContext,
) -> None:
    state, effects = step(ctx, _at_pin(ctx), KeysEntered(PIN))
    state, effects = step(ctx, state, answer(effects, RIGHT))
    assert effects == [
        RecordTurn(TurnRecord("pin", "keys", "****", "digits", None, TurnOutcome.VERIFIED)),
        Request("r2", GetBalances(7)),
    ]
    assert state.verified
    assert state.pending_turn is None
    assert state.pending_intent is None


def test_verification_right_pin_for_policy_fetches_policies(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_pin(ctx, "2"), KeysEntered(PIN))
    state, effects = step(ctx, state, answer(effects, RIGHT))
    assert requests(effects) == [Request("r2", GetPolicies(7))]


def test_verification_spoken_pin_is_accepted_and_masked(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_pin(ctx), heard("two four six eight", 0.8))
    assert effects == [Request("r1", VerifyPin(7, "2468"))]  # digits are never confirmed
    assert state.pending_turn is not None
    assert state.pending_turn.transcript == "****"


def test_verification_unsure_spoken_pin_is_a_no_match_not_a_wrong_pin(ctx: DialogContext) -> None:
    # A digit grammar hears most speech as some digits; unsure digits must not count
    # towards the PIN lockout (they are never confirmed, since a PIN is not read back).
    _state, effects = step(ctx, _at_pin(ctx), heard("two four six eight", 0.5))
    assert not [e for e in effects if isinstance(e, Request)]
    assert [(t.transcript, t.outcome) for t in turns(effects)] == [("****", "no_match")]
    assert texts(effects) == ["pin reprompt"]


def test_verification_wrong_pin_then_right_pin_is_verified(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_pin(ctx), KeysEntered("1111"))
    state, effects = step(ctx, state, answer(effects, WRONG))
    assert turns(effects)[0].outcome == "wrong_pin"
    assert texts(effects) == [
        "That PIN didn't match. You have two more attempts left.",
        "pin reprompt",
    ]
    assert only(listens(effects)).menu_id == "pin"
    assert not state.verified
    state, effects = step(ctx, state, KeysEntered(PIN))
    state, effects = step(ctx, state, answer(effects, RIGHT))
    assert state.verified
    assert isinstance(requests(effects)[0].request, GetBalances)


def test_verification_wrong_pin_last_attempt_is_singular(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_pin(ctx), KeysEntered("1111"))
    _, effects = step(ctx, state, answer(effects, PinChecked(False, False, 1)))
    assert texts(effects)[0] == "That PIN didn't match. You have one more attempt left."


def test_verification_wrong_pin_is_not_an_intent_failure(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_pin(ctx), KeysEntered("1111"))
    state, _ = step(ctx, state, answer(effects, WRONG))
    assert (state.consecutive_failures, state.total_failures) == (0, 0)


@pytest.mark.parametrize("checked", [PinChecked(False, True, 0), PinChecked(False, False, 0)])
def test_verification_pin_locked_transfers_pin_locked(
    ctx: DialogContext, checked: PinChecked
) -> None:
    state, effects = step(ctx, _at_pin(ctx), KeysEntered("1111"))
    state, effects = step(ctx, state, answer(effects, checked))
    assert turns(effects) == [
        TurnRecord("pin", "keys", "****", "digits", None, TurnOutcome.PIN_LOCKED)
    ]
    transfer = effects[-1]
    assert isinstance(transfer, Transfer)
    assert transfer.reason == "pin_locked"
    assert isinstance(effects[-2], Play)
    assert state.status == "transferred"
    assert not state.verified


def test_verification_pin_wrong_length_is_no_match(ctx: DialogContext) -> None:
    _state, effects = step(ctx, _at_pin(ctx), KeysEntered("123"))
    assert turns(effects) == [TurnRecord("pin", "keys", "****", None, None, TurnOutcome.NO_MATCH)]
    assert texts(effects) == ["pin reprompt"]
    assert not requests(effects)


def test_verification_locked_customer_by_phone_transfers_locked_out(ctx: DialogContext) -> None:
    state, effects = start(ctx)
    state, _ = step(ctx, state, answer(effects, CustomerFound(LOCKED, "2026-01-01T00:00:00Z")))
    state, effects = step(ctx, state, KeysEntered("1"))
    assert texts(effects) == [
        "Self-service is locked for your account. Please hold while I connect you to an agent."
    ]
    transfer = effects[-1]
    assert isinstance(transfer, Transfer)
    assert transfer.reason == "locked_out"
    assert "until 2026-01-01T00:00:00Z" in transfer.summary.reason
    assert transfer.summary.customer_name == "Bob Locked"


def test_verification_unknown_caller_asks_account_number(ctx: DialogContext) -> None:
    _state, effects = step(ctx, start(ctx, caller="")[0], KeysEntered("1"))
    assert texts(effects) == ["account_number initial"]
    assert only(listens(effects)) == Listen("account_number", (4, 12), 450, 6000)


def test_verification_account_number_found_asks_pin(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_account_number(ctx), KeysEntered(ACCOUNT))
    assert effects == [Request("r0", FindCustomerByAccount(ACCOUNT))]
    state, effects = step(ctx, state, answer(effects, CustomerFound(CUSTOMER)))
    assert turns(effects) == [
        TurnRecord("account_number", "keys", "****3210", "digits", None, TurnOutcome.FOUND)
    ]
    assert texts(effects) == ["pin initial"]
    assert state.customer == CUSTOMER
    state, effects = step(ctx, state, KeysEntered(PIN))
    assert effects == [Request("r1", VerifyPin(7, PIN))]


def test_verification_full_unknown_caller_flow_speaks_balance(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_account_number(ctx), heard("nine eight seven six five"))
    state, effects = step(ctx, state, heard("yes"))
    assert effects == [Request("r0", FindCustomerByAccount("98765"))]
    state, effects = step(ctx, state, answer(effects, CustomerFound(CUSTOMER)))
    state, effects = step(ctx, state, KeysEntered(PIN))
    state, effects = step(ctx, state, answer(effects, RIGHT))
    state, effects = step(ctx, state, answer(effects, Balances((CHECKING,))))
    assert texts(effects)[0].startswith("Your checking account ending in 1 2 3 4 has")


def test_verification_unknown_account_reprompts_and_counts_failure(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_account_number(ctx), KeysEntered(ACCOUNT))
    state, effects = step(ctx, state, answer(effects, CustomerFound(None)))
    assert turns(effects)[0].outcome == "unknown_account"
    assert texts(effects) == [
        "I couldn't find an account with that number.",
        "account_number reprompt",
    ]
    assert state.total_failures == 1
    assert state.menu == "account_number"


def test_verification_three_unknown_accounts_transfer_too_many_failures(
    ctx: DialogContext,
) -> None:
    state = _at_account_number(ctx)
    for _ in range(3):
        state, effects = step(ctx, state, KeysEntered(ACCOUNT))
        state, effects = step(ctx, state, answer(effects, CustomerFound(None)))
    assert isinstance(effects[-1], Transfer)
    assert effects[-1].reason == "too_many_failures"
    assert effects[-1].summary.failed_attempts == 3


def test_verification_locked_account_transfers_locked_out(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_account_number(ctx), KeysEntered(ACCOUNT))
    state, effects = step(ctx, state, answer(effects, CustomerFound(LOCKED)))
    assert turns(effects)[0].outcome == "locked_out"
    assert isinstance(effects[-1], Transfer)
    assert effects[-1].reason == "locked_out"


def test_verification_phone_lookup_failure_in_background_falls_back_to_account(
    ctx: DialogContext,
) -> None:
    state, effects = start(ctx)
    state, effects = step(ctx, state, BackendFailed(requests(effects)[0].request_id, "timeout"))
    assert effects == []
    assert state.phone_lookup == "failed"
    state, effects = step(ctx, state, KeysEntered("1"))
    assert texts(effects) == ["account_number initial"]


def test_verification_phone_lookup_failure_while_waiting_transfers(ctx: DialogContext) -> None:
    state, _start_effects = start(ctx)
    state, _ = step(ctx, state, KeysEntered("1"))
    state, effects = step(ctx, state, BackendFailed("r0", "timeout"))
    assert isinstance(effects[-1], Transfer)
    assert effects[-1].reason == "backend_error"


def test_verification_pin_check_failure_records_turn_and_transfers(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_pin(ctx), KeysEntered(PIN))
    state, effects = step(ctx, state, BackendFailed("r1", "db down"))
    assert effects[0] == RecordTurn(
        TurnRecord("pin", "keys", "****", "digits", None, TurnOutcome.BACKEND_ERROR)
    )
    assert texts(effects) == [
        "I'm sorry, I can't reach our systems right now. Let me connect you to an agent."
    ]
    assert isinstance(effects[-1], Transfer)
    assert effects[-1].reason == "backend_error"
    assert state.pending_turn is None


def test_verification_is_kept_for_the_next_service(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_pin(ctx), KeysEntered(PIN))
    state, effects = step(ctx, state, answer(effects, RIGHT))
    state, effects = step(ctx, state, answer(effects, Balances((CHECKING,))))
    state, effects = step(ctx, state, heard("policy"))
    assert requests(effects) == [Request("r3", GetPolicies(7))]


def test_verification_spoken_account_number_is_read_back_before_it_is_used(
    ctx: DialogContext,
) -> None:
    state, effects = step(ctx, _at_account_number(ctx), heard("nine eight seven six five"))
    assert not any(isinstance(e, Request) for e in effects)
    assert turns(effects)[0].outcome == "needs_confirmation"
    assert turns(effects)[0].transcript == "****8765"
    read_back = next(e for e in effects if isinstance(e, Play))
    assert read_back.text == "I heard 9 8 7 6 5. Is that right?"
    assert read_back.personal and read_back.recorded == "I heard ****8765. Is that right?"
    assert state.menu == "confirm"


def test_verification_read_back_denied_asks_for_the_keypad_without_a_lookup(
    ctx: DialogContext,
) -> None:
    state, effects = step(ctx, _at_account_number(ctx), heard("nine eight seven six five"))
    state, effects = step(ctx, state, heard("no"))
    assert not any(isinstance(e, Request) for e in effects)
    assert texts(effects) == ["account_number reprompt"]
    assert state.menu == "account_number"


def test_verification_keyed_account_number_is_not_read_back(ctx: DialogContext) -> None:
    _, effects = step(ctx, _at_account_number(ctx), KeysEntered(ACCOUNT))
    assert effects == [Request("r0", FindCustomerByAccount(ACCOUNT))]


def test_verification_spoken_pin_is_never_read_back(ctx: DialogContext) -> None:
    state, effects = step(ctx, _at_account_number(ctx), KeysEntered(ACCOUNT))
    state, effects = step(ctx, state, answer(effects, CustomerFound(CUSTOMER)))
    state, effects = step(ctx, state, heard("two four six eight"))
    assert [type(e).__name__ for e in effects] == ["Request"]
