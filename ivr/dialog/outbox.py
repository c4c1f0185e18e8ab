"""Issuing store requests with deterministic ids."""

from __future__ import annotations

from dataclasses import replace

from ivr.dialog.backend import BackendRequest
from ivr.dialog.effects import Request
from ivr.dialog.state import CallState, PendingRequest, RequestPurpose, Step


def send(
    state: CallState, request: BackendRequest, purpose: RequestPurpose, *, wait: bool = True
) -> Step:
    """Issue ``request``; with ``wait`` the conversation pauses (no menu) until it answers."""
    request_id = f"r{state.next_request}"
    state = replace(
        state,
        next_request=state.next_request + 1,
        pending=(*state.pending, PendingRequest(request_id, purpose)),
    )
    if wait:
        state = replace(state, menu=None, waiting_for=purpose, confirming=None)
    return state, [Request(request_id, request)]


def take(state: CallState, request_id: str) -> tuple[CallState, PendingRequest | None]:
    """Remove and return the pending request ``request_id`` (None: unknown or stale)."""
    found = next((p for p in state.pending if p.request_id == request_id), None)
    if found is None:
        return state, None
    rest = tuple(p for p in state.pending if p.request_id != request_id)
    return replace(state, pending=rest), found
