"""Twilio request signing: validate ``X-Twilio-Signature`` against the public URL.

Twilio signs the URL *it* requested, so behind ngrok or a TLS-terminating proxy the
URL the app sees differs in scheme and host. We therefore rebuild it from the
configured public base URL plus the request path and query.
"""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator


def public_request_url(public_url: str, path: str, query: str) -> str:
    """The URL Twilio signed: ``public_url`` + ``path`` (+ ``?query``)."""
    url = public_url.rstrip("/") + path
    return f"{url}?{query}" if query else url


def is_valid(auth_token: str, url: str, params: object, signature: str | None) -> bool:
    """True when ``signature`` is Twilio's signature of ``url`` and ``params``.

    ``params`` is a mapping or a multi-dict with ``getlist`` (Starlette's ``FormData``),
    so repeated form keys are signed the way Twilio signs them. twilio-python also
    accepts the URL with or without the default port.
    """
    if not signature or not auth_token:
        return False
    validator = RequestValidator(auth_token)
    return bool(validator.validate(url, params if params is not None else {}, signature))


def sign(auth_token: str, url: str, params: Mapping[str, str] | None) -> str:
    """Compute the signature Twilio would send (used by the simulator)."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(params or {})))
