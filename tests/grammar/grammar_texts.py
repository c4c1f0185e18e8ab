"""Grammar texts and helpers shared by the grammar tests (a uniquely named module, not conftest)."""

from __future__ import annotations

FULL = """\
language: en
messages:
  greeting: "Welcome to the bank."
global_intents:
  agent:
    key: "0"
    say:
      - "[an] agent"
menus:
  main:
    prompts:
      initial: "Say balance or press 1."
      reprompt: "Press 1 for balances."
      no_input: "Press 1 for balances."
    intents:
      balance:
        key: "1"
        say:
          - "[my] balance"
  confirm:
    prompts: {initial: "Yes or no?", reprompt: "Press 1 or 2.", no_input: "Press 1 or 2."}
    intents:
      "yes": {key: "1", say: ["yes"]}
      "no": {key: "2", say: ["no"]}
  anything_else:
    prompts: {initial: "Anything else?", reprompt: "Press 1 or 2.", no_input: "Press 1 or 2."}
    intents:
      "yes": {key: "1", say: ["yes"]}
      "no": {key: "2", say: ["no"]}
  policy_choice:
    prompts: {initial: "Which policy?", reprompt: "Press 1.", no_input: "Press 1."}
    intents:
      auto: {key: "1", say: ["auto"]}
  pin:
    digits: {min: 4, max: 4}
    prompts: {initial: "Your PIN?", reprompt: "Key your PIN.", no_input: "Key your PIN."}
  account_number:
    digits: {min: 4, max: 12}
    prompts: {initial: "Account number?", reprompt: "Key it.", no_input: "Key it."}
"""

"""A valid grammar set with every menu the dialog asks (main, confirm, anything_else,
policy_choice, pin, account_number) and one global intent."""


def line_with(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line of ``text`` containing ``needle``."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return found[occurrence - 1]
