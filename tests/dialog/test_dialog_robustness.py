"""Ordering, stale answers, hang-ups mid-flow and secrecy of PINs and account numbers."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

from ivr.dialog.backend import Balances, CustomerFound, PinChecked, Policies
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Effect, Play, RecordTurn, Request, TurnRecord
from ivr.dialog.engine import step
from ivr.dialog.events import (
    BackendAnswered,
    BackendFailed,
    CallerHungUp,
    Event,
    Heard,
    KeysEntered,
    NoInput,
)
from ivr.dialog.outcomes import TurnOutcome

from .fakes import (
    ACCOUNT,
    CHECKING,
    CUSTOMER,
    PIN,
    answer,
    known_caller_at_main,
    run_all,
    start,
    transfer_of,
    turns,
    verified_for,
)


def _strings(value: object) -> list[str]:
    """Every string inside an effect, however deeply nested."""
    if isinstance(value, str):
        return [value]
    if is_dataclass(value) and not isinstance(value, type):
        return [s for f in fields(value) for s in _strings(getattr(value, f.name))]
    if isinstance(value, tuple | list):
        return [s for item in value for s in _strings(item)]
    return []


def test_robustness_unknown_request_id_is_ignored(ctx: DialogContext) -> None:
    state = known_caller_at_main(ctx)
    assert step(ctx, state, BackendAnswered("r99", Balances((CHECKING,)))) == (state, [])
    assert step(ctx, state, BackendFailed("r99", "boom")) == (state, [])


def test_robustness_duplicate_answer_is_ignored(ctx: DialogContext) -> None:
    state, effects = verified_for(ctx, "1")
    reply = answer(effects, Balances((CHECKING,)))
    state, _ = step(ctx, state, reply)
    assert step(ctx, state, reply) == (state, [])


def test_robustness_phone_answer_after_account_path_is_harmless(ctx: DialogContext) -> None:
    state, start_effects = start(ctx)
    state, _ = step(ctx, state, BackendFailed("r0", "slow"))
    state, _ = step(ctx, state, KeysEntered("1"))
    assert state.menu == "account_number"
    late = answer(start_effects, CustomerFound(CUSTOMER))
    assert step(ctx, state, late) == (state, [])  # r0 already settled


def test_robustness_wrong_result_type_is_a_backend_error(ctx: DialogContext) -> None:
    state, effects = verified_for(ctx, "1")
    state, effects = step(ctx, state, answer(effects, Policies(())))
    assert transfer_of(effects).reason == "backend_error"


def test_robustness_wrong_phone_result_type_degrades_silently(ctx: DialogContext) -> None:
    state, effects = start(ctx)
    state, effects = step(ctx, state, answer(effects, Balances(())))
    assert effects == []
    assert state.phone_lookup == "failed"


def test_robustness_input_while_waiting_is_recorded_and_ignored(ctx: DialogContext) -> None:
    state, effects = verified_for(ctx, "1")
    assert state.menu is None
    ignored: dict[Event, TurnRecord] = {
        KeysEntered("1234"): TurnRecord("", "keys", "****", None, None, TurnOutcome.IGNORED),
        Heard("one two", 0.9): TurnRecord("", "speech", "****", None, 0.9, TurnOutcome.IGNORED),
    }
    for event, turn in ignored.items():
        new_state, effects = step(ctx, state, event)
        assert new_state == state
        assert effects == [RecordTurn(turn)]
    _, effects = step(ctx, state, NoInput())
    assert turns(effects) == [TurnRecord("", "none", "", None, None, TurnOutcome.IGNORED)]


def test_robustness_hang_up_while_waiting_for_balance_is_abandoned(ctx: DialogContext) -> None:
    state, effects = verified_for(ctx, "1")
    request = effects[-1]
    state, effects = step(ctx, state, CallerHungUp())
    assert (state.status, effects) == ("abandoned", [])
    late = answer([request], Balances((CHECKING,)))
    assert step(ctx, state, late) == (state, [])


def test_robustness_hang_up_after_service_is_completed(ctx: DialogContext) -> None:
    state, effects = verified_for(ctx, "1")
    state, _ = step(ctx, state, answer(effects, Balances((CHECKING,))))
    state, effects = step(ctx, state, CallerHungUp())
    assert (state.status, effects) == ("completed", [])


def test_robustness_hang_up_after_transfer_is_completed(ctx: DialogContext) -> None:
    state, _ = step(ctx, known_caller_at_main(ctx), KeysEntered("0"))
    state, effects = step(ctx, state, CallerHungUp())
    assert (state.status, effects) == ("completed", [])


def test_robustness_hang_up_during_pin_check_keeps_unrecorded_turn(ctx: DialogContext) -> None:
    state, _ = step(ctx, known_caller_at_main(ctx), KeysEntered("1"))
    state, _ = step(ctx, state, KeysEntered(PIN))
    state, effects = step(ctx, state, CallerHungUp())
    assert effects == []
    assert state.pending_turn is not None  # the session may log it from the final state
    assert state.pending_turn.transcript == "****"


def test_robustness_no_effects_after_transfer(ctx: DialogContext) -> None:
    state, _ = step(ctx, known_caller_at_main(ctx), KeysEntered("0"))
    for event in (Heard("balance", 0.9), KeysEntered("1"), NoInput(), BackendFailed("r0", "x")):
        assert step(ctx, state, event) == (state, [])


def test_masking_pin_and_account_never_leave_engine_except_in_requests(
    ctx: DialogContext,
) -> None:
    """Only the Request to the store may carry the PIN or the full account number — and the
    read-back of a spoken account number, which is personal (never stored) and recorded
    masked."""
    state, effects = start(ctx, caller="")
    events: list[Event] = [
        KeysEntered("1"),
        Heard("nine eight seven six five four three two one zero", 0.9),
        Heard("yes", 0.9),
    ]
    state, emitted = run_all(ctx, state, events)
    emitted = effects + emitted
    read_back = [e for e in emitted if isinstance(e, Play) and e.prompt_id == "confirm_digits"]
    assert len(read_back) == 1 and read_back[0].personal
    assert read_back[0].text == "I heard 9 8 7 6 5 4 3 2 1 0. Is that right?"
    assert read_back[0].recorded == "I heard ****3210. Is that right?"
    emitted = [e if e not in read_back else replace(e, text="") for e in emitted]
    state, more = step(ctx, state, answer(emitted[-1:], CustomerFound(CUSTOMER)))
    emitted += more
    for pin_event in (KeysEntered("8642"), Heard("eight six four two", 0.9)):
        state, more = step(ctx, state, pin_event)
        emitted += more
        state, more = step(ctx, state, answer(more, PinChecked(False, False, 2)))
        emitted += more
    state, more = step(ctx, state, KeysEntered("864"))  # too short: masked no-match
    emitted += more
    state, more = step(ctx, state, Heard("eight six", 0.9))  # not in grammar either
    emitted += more

    secret_free: list[Effect] = [e for e in emitted if not isinstance(e, Request)]
    everything = " ".join(s for e in secret_free for s in _strings(e))
    for secret in ("8642", "864", "eight six", ACCOUNT, "98765", "nine eight"):
        assert secret not in everything, secret
    logged = [t.transcript for t in turns(emitted)]
    assert "****3210" in logged
    assert set(logged) <= {"", "1", "****", "****3210", "yes"}
