"""Adapters between the pure dialog engine's ports and the real grammar and store."""

from __future__ import annotations

from ivr.app.grammar_registry import GrammarSnapshot
from ivr.dialog import backend as b
from ivr.dialog.ports import GrammarMatch, MenuPrompts
from ivr.store.repo import Store


class SnapshotGrammar:
    """The dialog engine's ``MenuGrammar`` over one grammar snapshot."""

    def __init__(self, snapshot: GrammarSnapshot) -> None:
        self._gs = snapshot.grammar_set
        self._compiled = snapshot.compiled

    def match(self, menu_id: str, text: str) -> GrammarMatch | None:
        found = self._compiled[menu_id].understand(text)
        if found is None:
            return None
        return GrammarMatch(intent=found.intent, slots=dict(found.slots))

    def intent_for_key(self, menu_id: str, key: str) -> str | None:
        intent = self._gs.menu(menu_id).intent_for_key(key)
        return intent.id if intent is not None else None

    def prompts(self, menu_id: str) -> MenuPrompts:
        p = self._gs.menu(menu_id).prompts
        return MenuPrompts(initial=p.initial, reprompt=p.reprompt, no_input=p.no_input)

    def is_digits_menu(self, menu_id: str) -> tuple[int, int] | None:
        digits = self._gs.menu(menu_id).digits
        return (digits.min, digits.max) if digits is not None else None

    def confirm_phrase(self, menu_id: str, intent: str) -> str | None:
        found = self._gs.menu(menu_id).intent(intent)
        return found.confirm if found is not None else None

    def message(self, key: str, default: str) -> str:
        return self._gs.messages.get(key, default)


class StoreBackend:
    """Answers the dialog engine's backend requests from the store (blocking)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def handle(self, call_sid: str, caller: str, request: b.BackendRequest) -> b.BackendResult:
        store = self.store
        if isinstance(request, b.FindCustomerByPhone | b.FindCustomerByAccount):
            if isinstance(request, b.FindCustomerByPhone):
                view = store.find_customer_by_phone(request.phone)
            else:
                view = store.find_customer_by_account(request.account_number)
            if view is None:
                return b.CustomerFound(customer=None)
            store.set_call_customer(call_sid, view.id, False)
            until = view.locked_until.isoformat() if view.locked_until else None
            return b.CustomerFound(
                customer=b.CustomerInfo(id=view.id, name=view.name, locked=view.locked),
                locked_until_iso=until,
            )
        if isinstance(request, b.VerifyPin):
            result = store.verify_pin(request.customer_id, request.pin, caller)
            if result.ok:
                store.set_call_customer(call_sid, request.customer_id, True)
            return b.PinChecked(
                ok=result.ok, locked=result.locked, attempts_left=result.attempts_left
            )
        if isinstance(request, b.GetBalances):
            accounts = store.balances(request.customer_id)
            return b.Balances(
                accounts=tuple(
                    b.AccountInfo(kind=a.kind, last4=a.last4, balance_cents=a.balance_cents)
                    for a in accounts
                )
            )
        if isinstance(request, b.GetPolicies):
            policies = store.policies(request.customer_id)
            return b.Policies(
                policies=tuple(
                    b.PolicyInfo(
                        number=p.number,
                        kind=p.kind,  # type: ignore[arg-type]  # the store only holds the three kinds
                        status=p.status,
                        premium_cents=p.premium_cents,
                        next_due=p.next_due,
                    )
                    for p in policies
                )
            )
        raise TypeError(f"unknown backend request {type(request).__name__}")
