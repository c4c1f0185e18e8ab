"""The sentences that tell a verified caller about their accounts and policies."""

from __future__ import annotations

from ivr.dialog.backend import AccountInfo, PolicyInfo
from ivr.dialog.context import DialogContext
from ivr.dialog.messages import render
from ivr.dialog.speech import say_amount, say_chars, say_date, say_digits, say_number

POLICY_CHOICE_MENU = "policy_choice"


def balance_sentence(ctx: DialogContext, account: AccountInfo) -> str:
    """``Your checking account ending in 1 2 3 4 has … dollars and … cents.``"""
    return render(
        ctx,
        "balance_line",
        kind=account.kind,
        last4=say_digits(account.last4),
        amount=say_amount(account.balance_cents),
    )


def policy_sentence(ctx: DialogContext, policy: PolicyInfo) -> str:
    """One policy's status, premium and (for active policies) next due date."""
    values: dict[str, object] = {
        "kind": policy.kind,
        "number": say_chars(policy.number),
        "status": policy.status,
        "premium": say_amount(policy.premium_cents),
    }
    status = policy.status.lower()
    if status == "active":
        if policy.next_due is None:
            return render(ctx, "policy_active_no_due", **values)
        return render(ctx, "policy_active", due=say_date(policy.next_due), **values)
    if status == "lapsed":
        # A lapsed policy has no next due date worth announcing.
        return render(ctx, "policy_lapsed", **values)
    return render(ctx, "policy_other", **values)


def policy_kinds(policies: tuple[PolicyInfo, ...]) -> tuple[str, ...]:
    """The distinct kinds the caller holds, in the store's order."""
    return tuple(dict.fromkeys(p.kind for p in policies))


def key_for_intent(ctx: DialogContext, menu: str, intent: str) -> str | None:
    """The keypad key selecting ``intent`` in ``menu`` (the port only maps key → intent)."""
    for key in "123456789":
        if ctx.grammar.intent_for_key(menu, key) == intent:
            return key
    return None


def policy_choice_options(ctx: DialogContext, policies: tuple[PolicyInfo, ...]) -> str:
    """Offer only the kinds the caller holds, each with its key."""
    kinds = policy_kinds(policies)
    sentences = [render(ctx, "policy_choice_intro", count=say_number(len(policies)))]
    for kind in kinds:
        key = key_for_intent(ctx, POLICY_CHOICE_MENU, kind)
        if key is None:
            sentences.append(render(ctx, "policy_choice_option_nokey", kind=kind))
        else:
            sentences.append(render(ctx, "policy_choice_option", kind=kind, key=key))
    return " ".join(sentences)
