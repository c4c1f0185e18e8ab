"""Caller and called identities (Twilio's ``From`` and ``To``), made safe to store and show.

What Twilio sends::

    +14155550100                                   E.164, the usual case
    client:ada                                     a Voice SDK client
    sip:+14155550100@trunk.example.pstn.twilio.com  a SIP trunk or SIP domain
    anonymous   +266696687   restricted   (empty)  a withheld number

``From`` is chosen by whoever places the call, so it may hold anything: a NUL byte that
PostgreSQL refuses (the insert fails and the call record is lost), hundreds of
characters, or bidi controls that reorder what an agent reads (``+141555\\u202e00105``
showed as Ada's number on the desk). :func:`normalize_party` keeps what has one of the
shapes above and replaces everything else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

MAX_CHARS = 255
"""Longest identity stored (the database columns are this wide)."""

PartyKind = Literal["e164", "number", "client", "sip", "anonymous", "invalid"]

ANONYMOUS = "anonymous"
INVALID = "invalid"
"""Stored instead of an identity of no recognised shape (the raw text is not kept)."""

WITHHELD = frozenset(
    {
        "",
        "anonymous",
        "restricted",
        "unknown",
        "private",
        "unavailable",
        "withheld",
        "blocked",
        # Twilio's keypad spellings of the same (ANONYMOUS, RESTRICTED, UNKNOWN, BLOCKED,
        # UNAVAILABLE), sent as if they were E.164 numbers.
        "+266696687",
        "+7378742833",
        "+8656696",
        "+2562533",
        "+86282452253",
    }
)

_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Control, format (bidi overrides and isolates, zero-width characters), surrogate,
private-use and unassigned characters, and line/paragraph separators: none belongs in
a phone number or URI, and several change how the rest is displayed."""

_E164 = re.compile(r"\+[1-9]\d{1,14}")
_NUMBER = re.compile(r"\d{3,15}")
"""A number without ``+`` (national format or a short code), as some carriers send."""
_VISUAL_SEPARATORS = re.compile(r"[\s().\-]")
_CLIENT = re.compile(r"client:([A-Za-z0-9_.@+\-]{1,128})", re.IGNORECASE)
_SIP = re.compile(
    r"(sips?):"
    r"((?:[A-Za-z0-9_.!~*'()&=+$,;?/%\-]+@)?"  # user part
    r"(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]))"  # host name, IPv4 or [IPv6]
    r"(:\d{1,5})?"  # port
    r"((?:;[A-Za-z0-9_.=%\-]*)*)",  # parameters
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Party:
    """A caller or called identity: its kind and the text stored and shown."""

    kind: PartyKind
    value: str


def clean_text(raw: str) -> str:
    """``raw`` without invisible and reordering characters, NFKC-normalised (full-width
    digits and plus signs become ASCII), outer whitespace removed."""
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    return text.strip()


def normalize_party(raw: str) -> Party:
    """The identity ``raw`` names, in a canonical form; ``invalid`` when it has no
    recognised shape (it is never stored as given). Idempotent."""
    text = clean_text(raw)
    if len(text) > MAX_CHARS:
        return Party("invalid", INVALID)
    if text.lower() in WITHHELD:
        return Party("anonymous", ANONYMOUS)
    compact = _VISUAL_SEPARATORS.sub("", text)
    if compact.lower() in WITHHELD:
        return Party("anonymous", ANONYMOUS)
    if _E164.fullmatch(compact):
        return Party("e164", compact)
    if _NUMBER.fullmatch(compact):
        return Party("number", compact)
    return _named_party(text)


def _named_party(text: str) -> Party:
    """A Twilio Client identity or a SIP URI, canonical; ``invalid`` otherwise."""
    client = _CLIENT.fullmatch(text)
    if client:
        return Party("client", f"client:{client.group(1)}")
    sip = _SIP.fullmatch(text)
    if sip:
        scheme, address, port, params = sip.groups()
        return Party("sip", f"{scheme.lower()}:{address}{port or ''}{params or ''}")
    return Party("invalid", INVALID)
