"""The self-service answers: balances and insurance policies."""

from __future__ import annotations

from dataclasses import replace

from ivr.dialog.answers import POLICY_CHOICE_MENU, balance_sentence, policy_kinds, policy_sentence
from ivr.dialog.backend import Balances, GetBalances, GetPolicies, Policies, PolicyInfo
from ivr.dialog.context import DialogContext
from ivr.dialog.effects import Play
from ivr.dialog.messages import render
from ivr.dialog.outbox import send
from ivr.dialog.prompting import ask_menu
from ivr.dialog.state import CallState, Step
from ivr.dialog.verification import start_verification

ANYTHING_ELSE_MENU = "anything_else"
SERVICES = frozenset({"balance", "policy"})


def serve(ctx: DialogContext, state: CallState, intent: str) -> Step:
    """Fetch what ``intent`` asks for, verifying the caller first if needed."""
    customer = state.customer
    if not state.verified or customer is None:
        return start_verification(ctx, replace(state, pending_intent=intent))
    state = replace(state, pending_intent=None)
    if intent == "balance":
        return send(state, GetBalances(customer.id), "balances")
    return send(state, GetPolicies(customer.id), "policies")


def _served(ctx: DialogContext, state: CallState, plays: list[Play]) -> Step:
    """Speak an answer, then offer more help."""
    state = replace(state, served=state.served + 1, policies=())
    return ask_menu(ctx, state, ANYTHING_ELSE_MENU, *plays)


def speak_balances(ctx: DialogContext, state: CallState, balances: Balances) -> Step:
    """One sentence per account."""
    plays = [
        Play(f"balance_{i}", balance_sentence(ctx, account), personal=True)
        for i, account in enumerate(balances.accounts)
    ] or [Play("no_accounts", render(ctx, "no_accounts"))]
    return _served(ctx, state, plays)


def speak_policies(ctx: DialogContext, state: CallState, policies: Policies) -> Step:
    """Speak the policies, or first ask which kind when the caller holds several kinds."""
    held = policies.policies
    if not held:
        return _served(ctx, state, [Play("no_policies", render(ctx, "no_policies"))])
    if len(policy_kinds(held)) == 1:
        return _served(ctx, state, _policy_plays(ctx, held, held[0].kind))
    return ask_menu(ctx, replace(state, policies=held), POLICY_CHOICE_MENU)


def _policy_plays(ctx: DialogContext, held: tuple[PolicyInfo, ...], kind: str) -> list[Play]:
    return [
        Play(f"policy_{i}", policy_sentence(ctx, policy), personal=True)
        for i, policy in enumerate(p for p in held if p.kind == kind)
    ]


def choose_policy(ctx: DialogContext, state: CallState, kind: str) -> Step | None:
    """Speak the chosen kind's policies; None when the caller holds no policy of that kind."""
    if kind not in policy_kinds(state.policies):
        return None
    return _served(ctx, state, _policy_plays(ctx, state.policies, kind))
