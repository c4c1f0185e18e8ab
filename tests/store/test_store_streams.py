"""One media stream per call: the secret issued with the call record, the one claim it
allows — on SQLite and PostgreSQL, and under two streams racing from two store handles."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import select

from ivr.store import Store
from ivr.store.models import CallStream
from ivr.twilio.stream_secret import StreamClaim, new_secret, secret_hash, secret_matches

SID = "CA" + "5" * 32
STREAM = "MZ" + "5" * 32


@pytest.fixture
def secret(store: Store) -> str:
    value = new_secret()
    assert store.start_call(
        SID, "+14155550100", "+15005550006", stream_secret_hash=secret_hash(value)
    )
    return value


def test_stream_secret_matches_only_itself() -> None:
    value = new_secret()
    assert secret_matches(value, secret_hash(value))
    assert not secret_matches(value + "x", secret_hash(value))
    assert not secret_matches("", secret_hash(value))
    assert new_secret() != value


def test_stream_claim_right_secret_first_stream_claims(store: Store, secret: str) -> None:
    assert store.claim_stream(SID, STREAM, secret) is StreamClaim.CLAIMED


def test_stream_claim_second_stream_refused_even_with_the_right_secret(
    store: Store, secret: str
) -> None:
    assert store.claim_stream(SID, STREAM, secret) is StreamClaim.CLAIMED
    assert store.claim_stream(SID, "MZ-intruder", secret) is StreamClaim.ALREADY_STREAMED
    # Not even the same stream may start twice.
    assert store.claim_stream(SID, STREAM, secret) is StreamClaim.ALREADY_STREAMED


def test_stream_claim_wrong_secret_refused_and_the_call_keeps_its_stream(
    store: Store, secret: str
) -> None:
    assert store.claim_stream(SID, STREAM, "guess") is StreamClaim.WRONG_SECRET
    assert store.claim_stream(SID, STREAM, "") is StreamClaim.WRONG_SECRET
    assert store.claim_stream(SID, STREAM, secret) is StreamClaim.CLAIMED


def test_stream_claim_for_a_call_never_answered_refused(store: Store) -> None:
    assert store.claim_stream(SID, STREAM, "anything") is StreamClaim.UNKNOWN
    store.start_call(SID, "+14155550100", "+15005550006")  # a record without a secret
    assert store.claim_stream(SID, STREAM, "anything") is StreamClaim.UNKNOWN


def test_stream_secret_only_its_hash_is_stored(store: Store, secret: str) -> None:
    with store.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(CallStream.__table__))]
    assert rows and secret not in repr(rows)
    assert rows[0][1] == secret_hash(secret)


def test_stream_secret_webhook_retry_replaces_it_until_the_stream_starts(
    store: Store, secret: str
) -> None:
    # Twilio retried the webhook: the TwiML it acts on carries the retry's secret.
    retry = new_secret()
    assert not store.start_call(
        SID, "+14155550100", "+15005550006", stream_secret_hash=secret_hash(retry)
    )
    assert store.claim_stream(SID, STREAM, secret) is StreamClaim.WRONG_SECRET
    assert store.claim_stream(SID, STREAM, retry) is StreamClaim.CLAIMED
    # A replayed webhook after that changes nothing: the stream keeps the call.
    late = new_secret()
    store.start_call(SID, "+14155550100", "+15005550006", stream_secret_hash=secret_hash(late))
    assert store.claim_stream(SID, "MZ-late", late) is StreamClaim.ALREADY_STREAMED


def test_stream_claim_two_streams_racing_from_two_processes_one_wins(
    make_store: Callable[..., Store],
) -> None:
    first, second = make_store(), make_store()  # separate engines, like two processes
    value = new_secret()
    first.start_call(SID, "+14155550100", "+15005550006", stream_secret_hash=secret_hash(value))
    start = threading.Barrier(8)
    claims: list[StreamClaim] = []

    def claim(n: int) -> None:
        store = first if n % 2 else second
        start.wait()
        claims.append(store.claim_stream(SID, f"MZ{n}", value))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(c.name for c in claims) == ["ALREADY_STREAMED"] * 7 + ["CLAIMED"]
