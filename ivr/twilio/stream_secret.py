"""The per-call stream secret: proof that a media stream is the one our TwiML started.

The upgrade signature of the media WebSocket is an HMAC of a fixed URL, the same for
every call and replayable for ever, so it cannot tell Twilio's stream for a call from
anyone else's who learned a CallSid. The voice webhook therefore puts a fresh random
secret into ``<Stream><Parameter>``; Twilio hands it back in ``start.customParameters``
and only Twilio (which received the TwiML) knows it. The store keeps only its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import Enum

PARAMETER = "ivr_stream_secret"
"""The ``<Parameter name>`` carrying the secret (custom parameters are free-form)."""
SECRET_BYTES = 32


class StreamClaim(Enum):
    """The store's answer to a stream's ``start``."""

    CLAIMED = "claimed"
    """The right secret, and the first stream for this call: go ahead."""
    UNKNOWN = "no stream secret was issued for this call"
    WRONG_SECRET = "wrong or missing stream secret"
    ALREADY_STREAMED = "this call already has its media stream"


def new_secret() -> str:
    """A fresh secret for one call's ``<Stream>``."""
    return secrets.token_urlsafe(SECRET_BYTES)


def secret_hash(secret: str) -> str:
    """What is stored: the SHA-256 of the secret, hex (the secret is random, so no salt
    or slow hash is needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Whether ``secret`` hashes to ``stored_hash``, compared in constant time."""
    return hmac.compare_digest(secret_hash(secret).encode(), stored_hash.encode())
