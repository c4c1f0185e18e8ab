"""Request signing against Twilio's own test vectors (shared/reference/twilio.md §2)."""

from __future__ import annotations

from ivr.twilio.signature import is_valid, public_request_url, sign

VOICE_FORM = {
    "AccountSid": "AC00000000000000000000000000000000",
    "ApiVersion": "2010-04-01",
    "CallSid": "CA11111111111111111111111111111111",
    "CallStatus": "ringing",
    "Called": "+15005550006",
    "Caller": "+14155550100",
    "Direction": "inbound",
    "From": "+14155550100",
    "To": "+15005550006",
}


def test_sign_twilio_unit_test_vector_matches() -> None:
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
        "Caller": "+14158675309",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert sign("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert is_valid("12345", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert is_valid(
        "12345", url.replace(".com/", ".com:443/"), params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )
    assert not is_valid(
        "12345", url.replace("https", "http"), params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )


def test_sign_voice_webhook_vector_matches() -> None:
    url = "https://ivr.example.com/voice"
    assert sign("test_auth_token", url, VOICE_FORM) == "QpEGkQoUuLeG6JVv194Koe2YNdg="


def test_sign_media_upgrade_vector_matches() -> None:
    assert (
        sign("test_auth_token", "wss://ivr.example.com/media", {}) == "9J+rfiQJl0khGgR9a3iBtHy/Kvg="
    )


def test_is_valid_missing_signature_or_token_is_rejected() -> None:
    assert not is_valid("test_auth_token", "https://ivr.example.com/voice", VOICE_FORM, None)
    assert not is_valid(
        "", "https://ivr.example.com/voice", VOICE_FORM, "QpEGkQoUuLeG6JVv194Koe2YNdg="
    )


def test_is_valid_tampered_parameter_is_rejected() -> None:
    tampered = dict(VOICE_FORM, From="+19999999999")
    url = "https://ivr.example.com/voice"
    assert not is_valid("test_auth_token", url, tampered, "QpEGkQoUuLeG6JVv194Koe2YNdg=")


def test_public_request_url_rebuilds_from_the_public_base() -> None:
    assert public_request_url("https://ivr.example.com/", "/twilio/voice", "") == (
        "https://ivr.example.com/twilio/voice"
    )
    assert public_request_url("https://ivr.example.com", "/twilio/whisper", "call=CA1") == (
        "https://ivr.example.com/twilio/whisper?call=CA1"
    )
