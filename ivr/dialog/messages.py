"""Default English wording and safe rendering of ops-editable sentence templates."""

from __future__ import annotations

from collections.abc import Mapping

from ivr.dialog.context import DialogContext

_HOLD = "Please hold while I connect you to an agent."

DEFAULTS: Mapping[str, str] = {
    "greeting": "Welcome to the customer hotline.",
    "goodbye": "Thank you for calling. Goodbye.",
    "confirm_question": "Did you say {phrase}?",
    "confirm_digits": "I heard {digits}. Is that right?",
    "wrong_pin": "That PIN didn't match. You have {attempts} left.",
    "account_not_found": "I couldn't find an account with that number.",
    "balance_line": "Your {kind} account ending in {last4} has {amount}.",
    "no_accounts": "I couldn't find any accounts in your name.",
    "policy_active": (
        "Your {kind} policy {number} is active. The premium is {premium}, next due {due}."
    ),
    "policy_active_no_due": "Your {kind} policy {number} is active. The premium is {premium}.",
    "policy_lapsed": "Your {kind} policy {number} has lapsed. The premium was {premium}.",
    "policy_other": "Your {kind} policy {number} is {status}. The premium is {premium}.",
    "no_policies": "I couldn't find any insurance policies in your name.",
    "policy_choice_intro": "You have {count} policies.",
    "policy_choice_option": "For your {kind} policy, say {kind} or press {key}.",
    "policy_choice_option_nokey": "For your {kind} policy, say {kind}.",
    "policy_not_held": "You don't have a {kind} policy with us.",
    "transfer_caller_request": _HOLD,
    "transfer_lost_card": "I'm sorry to hear about your card. " + _HOLD,
    "transfer_fraud": "I'm sorry to hear that. An agent will look into it with you. " + _HOLD,
    "transfer_fraud_verified": (
        "I'm sorry to hear that. The agent can freeze your card while they look into it "
        "with you. " + _HOLD
    ),
    "transfer_frustrated": "I'm sorry for the trouble. " + _HOLD,
    "transfer_no_match": "Sorry, I'm having trouble understanding. " + _HOLD,
    "transfer_no_input": "Sorry, I didn't hear anything. " + _HOLD,
    "transfer_too_many_failures": "Sorry, I'm having trouble understanding. " + _HOLD,
    "transfer_pin_locked": "For your security, phone self-service is now locked. " + _HOLD,
    "transfer_locked_out": "Self-service is locked for your account. " + _HOLD,
    "transfer_backend_error": (
        "I'm sorry, I can't reach our systems right now. Let me connect you to an agent."
    ),
    "summary_caller_request": "Caller asked for an agent.",
    "summary_lost_card": "Caller reported a lost or stolen card.",
    "summary_fraud": "Caller reported suspected fraud on their account.",
    "summary_frustrated": "Caller sounded frustrated at the {menu} menu.",
    "summary_no_match": "Caller was not understood twice in a row at the {menu} menu.",
    "summary_no_input": "Caller gave no input twice in a row at the {menu} menu.",
    "summary_too_many_failures": "Caller failed {failures} times to get through the menus.",
    "summary_pin_locked": "Caller entered too many wrong PINs; self-service is now locked.",
    "summary_locked_out": "Self-service was already locked for this customer{until}.",
    "summary_backend_error": "Our systems could not be reached during the call.",
    "transfer_default": _HOLD,
    "summary_default": "Transfer reason: {reason}.",
}
"""Every sentence the engine composes itself; ops may override each by key."""


def render(ctx: DialogContext, key: str, /, **values: object) -> str:
    """The ops template for ``key`` filled with ``values``, falling back to the default.

    An ops edit with a typo (unknown placeholder, stray brace) must not crash a live call,
    so a broken template silently yields the default wording instead.
    """
    default = DEFAULTS[key]
    template = ctx.grammar.message(key, default)
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return default.format_map(values)
