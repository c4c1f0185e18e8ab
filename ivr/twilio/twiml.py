"""TwiML documents the app answers with. Pure builders over twilio-python's ``VoiceResponse``."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.twiml.voice_response import Connect, Dial, VoiceResponse

XML = "application/xml"


def connect_stream(
    media_url: str, action_url: str, status_url: str | None, parameters: Mapping[str, str]
) -> str:
    """Hand the call to our Media Streams WebSocket; ``action_url`` runs when it closes.

    The stream URL may not carry a query string (Twilio error 31920), so everything the
    stream needs travels as ``<Parameter>``. ``<Hangup/>`` guards against dead air
    should Twilio ever continue past ``<Connect>``.
    """
    response = VoiceResponse()
    connect = Connect(action=action_url, method="POST")
    stream = connect.stream(url=media_url, status_callback=status_url)
    for name, value in parameters.items():
        stream.parameter(name=name, value=value)
    response.append(connect)
    response.hangup()
    return str(response)


def say_and_hangup(text: str, voice: str | None = None) -> str:
    """Speak ``text`` with Twilio's TTS and end the call."""
    response = VoiceResponse()
    response.say(text, voice=voice)
    response.hangup()
    return str(response)


def dial_agent(
    agent_number: str,
    *,
    action_url: str,
    whisper_url: str,
    timeout_s: int,
    caller_id: str | None,
    lead_in: str | None = None,
) -> str:
    """Warm transfer: ring the agent line; the whisper plays to the agent before bridging."""
    response = VoiceResponse()
    if lead_in:
        response.say(lead_in)
    dial = Dial(action=action_url, method="POST", timeout=timeout_s, answer_on_bridge=True,
                caller_id=caller_id or None)  # fmt: skip
    dial.number(agent_number, url=whisper_url, method="POST")
    response.append(dial)
    return str(response)


def whisper(text: str) -> str:
    """What the agent hears before the caller is connected."""
    response = VoiceResponse()
    response.say(text)
    return str(response)


def record_message(prompt: str, action_url: str) -> str:
    """Offer voicemail: record up to two minutes, ``#`` to finish."""
    response = VoiceResponse()
    response.say(prompt)
    response.record(
        action=action_url, method="POST", max_length=120, finish_on_key="#", play_beep=True
    )
    response.say("We did not receive a message. Goodbye.")
    response.hangup()
    return str(response)


def agent_unavailable(choice_url: str) -> str:
    """No agent answered: apologise and offer a voicemail (1) or a callback (2).

    If the caller presses nothing, the callback is taken as the choice rather than
    hanging up on them.
    """
    response = VoiceResponse()
    gather = response.gather(num_digits=1, action=choice_url, method="POST", timeout=6)
    gather.say(
        "We're sorry, all of our agents are busy right now. "
        "To leave a message, press 1. To have an agent call you back at this number, press 2."
    )
    response.redirect(choice_url + "?Digits=2", method="POST")
    return str(response)


def hangup() -> str:
    """End the call."""
    response = VoiceResponse()
    response.hangup()
    return str(response)
