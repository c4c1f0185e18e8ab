"""Twilio-facing endpoints: the public interface a Twilio number is configured with.

Every one validates ``X-Twilio-Signature`` (a dependency, not pasted code) against
``IVR_PUBLIC_URL`` — Twilio signs the URL it requested, which behind a proxy is not the
URL this process sees.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, HTTPException, Request, WebSocket
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message
from starlette.websockets import WebSocketDisconnect, WebSocketState

from ivr.app.services import Services
from ivr.call.session import CallSession, SessionError
from ivr.dialog.effects import TransferSummary
from ivr.dialog.outcomes import TransferReason
from ivr.store.errors import StoreError
from ivr.twilio import stream_secret, twiml
from ivr.twilio.identity import normalize_party
from ivr.twilio.media import StreamProtocolError, parse_message
from ivr.twilio.signature import is_valid, public_request_url
from ivr.web.whisper import whisper_text

log = logging.getLogger("ivr.web")

T = TypeVar("T")

CALL_SID_LEN = 34
TECHNICAL_APOLOGY = "We're sorry, we had a technical problem. Let me connect you to an agent."
CALLBACK_PROMISED = (
    "Thank you. An agent will call you back at this number as soon as possible. Goodbye."
)
LEAVE_A_MESSAGE = "Please leave your message after the tone, then press the pound key."


def get_services(request: Request) -> Services:
    """The app's services (built once by the app factory)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def twilio_form(request: Request, services: ServicesDep) -> FormData:
    """Read a webhook's form body, bounded in size, and check Twilio's signature."""
    settings = services.settings
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > settings.max_form_bytes:
        raise HTTPException(413, f"request body larger than {settings.max_form_bytes} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_form_bytes:
            raise HTTPException(413, f"request body larger than {settings.max_form_bytes} bytes")
    content_type = request.headers.get("content-type", "")
    if body and not content_type.startswith("application/x-www-form-urlencoded"):
        raise HTTPException(415, "expected application/x-www-form-urlencoded, as Twilio sends")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise HTTPException(400, "form body is not valid UTF-8") from None
    form = FormData({}) if not pairs else FormData(_as_form_items(pairs))
    if settings.twilio_validate:
        url = public_request_url(settings.public_url, request.url.path, request.url.query)
        signature = request.headers.get("x-twilio-signature")
        if not signature:
            raise HTTPException(403, "missing X-Twilio-Signature header")
        if not is_valid(settings.twilio_auth_token, url, form, signature):
            log.warning("rejected webhook %s: bad signature", request.url.path)
            raise HTTPException(403, "invalid X-Twilio-Signature")
    return form


def _as_form_items(pairs: list[tuple[str, str]]) -> list[tuple[str, str | UploadFile]]:
    # FormData wants the wider item type; the pairs are plain strings.
    return [(key, value) for key, value in pairs]


TwilioForm = Annotated[FormData, Depends(twilio_form)]


def _call_sid(form: FormData, name: str = "CallSid") -> str:
    sid = form.get(name)
    if not isinstance(sid, str) or not sid.startswith("CA") or len(sid) != CALL_SID_LEN:
        raise HTTPException(400, f"missing or malformed {name} (expected CA + 32 characters)")
    return sid


def _party(form: FormData, name: str) -> str:
    """``From`` or ``To`` as stored and shown: normalised, never as the caller sent it."""
    return normalize_party(str(form.get(name, ""))).value


async def _best_effort(fn: Callable[..., T], *args: Any) -> T | None:
    """Run a store call off the loop; a database outage is logged, never shown to a caller
    (they hear the TwiML regardless — the record catches up when the store is back)."""
    try:
        return await asyncio.to_thread(fn, *args)
    except StoreError as exc:
        log.error("store unavailable during %s: %s", getattr(fn, "__name__", "a call"), exc)
        return None


def _xml(document: str) -> Response:
    return Response(content=document, media_type=twiml.XML)


router = APIRouter()


@router.get("/healthz")
async def healthz(services: ServicesDep) -> JSONResponse:
    """Readiness for the load balancer, and what is loaded: 200 when this instance can
    take a new call (model loaded, database reachable, not draining), else 503. Redis
    being down is reported but does not make an instance unready: calls do not need it."""
    checks = {"model": "ok", "database": await _database_check(services)}
    if services.bus is not None:
        checks["redis"] = "ok" if await services.bus.ping() else "unreachable"
    ready = checks["database"] == "ok" and not services.draining
    body = {
        "status": "ok" if ready else ("draining" if services.draining else "unready"),
        "instance": services.instance,
        "ready": ready,
        "checks": checks,
        "asr": services.engine.name,
        "grammar": services.grammars.fingerprint(),
        "live_calls": len(services.live_calls),
    }
    return JSONResponse(body, status_code=200 if ready else 503)


async def _database_check(services: Services) -> str:
    try:
        await asyncio.to_thread(services.store.ping)
    except StoreError as exc:
        return f"unreachable: {exc}"
    return "ok"


def refuse_while_draining(services: Services) -> None:
    """503 for what would start something new here: the balancer retries elsewhere."""
    if services.draining:
        raise HTTPException(503, f"instance {services.instance} is draining; try another")


@router.post("/twilio/voice")
async def incoming_call(form: TwilioForm, services: ServicesDep) -> Response:
    """Incoming call: record it and connect the bidirectional media stream."""
    refuse_while_draining(services)
    call_sid = _call_sid(form)
    caller, called = _party(form, "From"), _party(form, "To")
    secret = stream_secret.new_secret()
    # Idempotent: Twilio may retry the webhook with the same CallSid (a retry's secret
    # replaces the first one's until the stream starts).
    try:
        await asyncio.to_thread(
            functools.partial(
                services.store.start_call,
                call_sid,
                caller,
                called,
                stream_secret_hash=stream_secret.secret_hash(secret),
            )
        )
    except StoreError:
        # No record, no self-service: the caller goes straight to a person.
        log.error("call %s: store unavailable at the webhook; sending to an agent", call_sid)
        return _xml(_dial(services, call_sid, lead_in=TECHNICAL_APOLOGY))
    settings = services.settings
    document = twiml.connect_stream(
        media_url=settings.media_url,
        action_url=settings.url("/twilio/stream-ended"),
        status_url=settings.url("/twilio/stream-status"),
        parameters={stream_secret.PARAMETER: secret},
    )
    return _xml(document)


@router.post("/twilio/stream-status")
async def stream_status(form: TwilioForm) -> Response:
    """Media stream lifecycle (started/stopped/error); logged for diagnosis."""
    log.info(
        "stream %s for call %s: %s %s",
        form.get("StreamSid", "?"),
        form.get("CallSid", "?"),
        form.get("StreamEvent", "?"),
        form.get("StreamError", ""),
    )
    return Response(status_code=204)


@router.post("/twilio/stream-ended")
async def stream_ended(form: TwilioForm, services: ServicesDep) -> Response:
    """What follows the stream: a warm transfer, a hang-up, or — when the stream broke —
    an apology and an agent, never silence."""
    call_sid = _call_sid(form)
    store = services.store
    try:
        call = await asyncio.to_thread(store.get_call, call_sid)
    except StoreError:
        # Without the record we cannot know how the call went: a person can.
        log.error("call %s: store unavailable after the stream; sending to an agent", call_sid)
        return _xml(_dial(services, call_sid, lead_in=TECHNICAL_APOLOGY))
    if call is not None and call.get("transfer"):
        return _xml(_dial(services, call_sid, lead_in=None))
    if call is not None and call.get("status") in ("completed", "abandoned", "failed"):
        # The dialog said goodbye, or the caller already hung up: nothing more to do.
        return _xml(twiml.hangup())
    caller = _party(form, "From")
    # The stream ended without the dialog deciding how: something failed on our side.
    summary = asdict(
        TransferSummary(
            caller=caller,
            customer_name=None,
            verified=False,
            reason="The automated system had a technical problem.",
            intents_tried=(),
            failed_attempts=0,
        )
    )
    try:
        if call is None:
            # Every call that started leaves a record, even one whose stream never began.
            await asyncio.to_thread(store.start_call, call_sid, caller, _party(form, "To"))
        await asyncio.to_thread(
            store.record_transfer, call_sid, TransferReason.TECHNICAL_ERROR, False, summary
        )
        services.feed.transfer_recorded(call_sid)  # agent desks show it at once
    except StoreError:
        log.error("call %s: could not record the technical transfer", call_sid)
    return _xml(_dial(services, call_sid, lead_in=TECHNICAL_APOLOGY))


def _dial(services: Services, call_sid: str, lead_in: str | None) -> str:
    settings = services.settings
    return twiml.dial_agent(
        settings.agent_number,
        action_url=settings.url("/twilio/dial-ended"),
        whisper_url=settings.url("/twilio/whisper?" + urlencode({"call": call_sid})),
        timeout_s=settings.dial_timeout_s,
        caller_id=settings.caller_id or None,
        lead_in=lead_in,
    )


@router.post("/twilio/whisper")
async def whisper(request: Request, form: TwilioForm, services: ServicesDep) -> Response:
    """Played to the agent before the caller is connected: who, why, what they tried."""
    call_sid = request.query_params.get("call", "")
    call = await _best_effort(services.store.get_call, call_sid) if call_sid else None
    if call is None:
        return _xml(twiml.whisper("Incoming transfer from the hotline. No details are available."))
    return _xml(twiml.whisper(whisper_text(call)))


@router.post("/twilio/dial-ended")
async def dial_ended(form: TwilioForm, services: ServicesDep) -> Response:
    """The agent leg ended. If nobody answered, the caller gets options, not silence."""
    call_sid = _call_sid(form)
    status = str(form.get("DialCallStatus", ""))
    await _best_effort(services.store.set_dial_status, call_sid, status or "unknown")
    if status in ("completed", "answered"):
        return _xml(twiml.hangup())
    return _xml(
        twiml.agent_unavailable(
            choice_url=services.settings.url("/twilio/unavailable-choice"),
        )
    )


@router.post("/twilio/unavailable-choice")
async def unavailable_choice(request: Request, form: TwilioForm, services: ServicesDep) -> Response:
    """The caller chose between a voicemail and a callback after no agent answered.

    The ``<Gather>`` posts the key in the body; when the caller pressed nothing, the
    ``<Redirect>`` after it carries ``Digits=2`` (a callback) in its query string — part
    of the signed URL, so it is as trustworthy as the body.
    """
    call_sid = _call_sid(form)
    digit = str(form.get("Digits", "")) or request.query_params.get("Digits", "")
    if digit == "2":
        await _best_effort(services.store.set_dial_status, call_sid, "callback-requested")
        return _xml(twiml.say_and_hangup(CALLBACK_PROMISED))
    await _best_effort(services.store.set_dial_status, call_sid, "voicemail")
    action_url = services.settings.url("/twilio/message-recorded")
    return _xml(twiml.record_message(LEAVE_A_MESSAGE, action_url=action_url))


@router.post("/twilio/message-recorded")
async def message_recorded(form: TwilioForm, services: ServicesDep) -> Response:
    """A voicemail was recorded; Twilio holds the audio at ``RecordingUrl``."""
    call_sid = _call_sid(form)
    await _best_effort(services.store.set_dial_status, call_sid, "voicemail-left")
    return _xml(twiml.say_and_hangup("Thank you. Your message has been recorded. Goodbye."))


@router.post("/twilio/status")
async def call_status(form: TwilioForm, services: ServicesDep) -> Response:
    """Call status callback: the call's final state, which may arrive before or after the
    stream ends. Terminal statuses close the call record."""
    call_sid = _call_sid(form)
    status = str(form.get("CallStatus", ""))
    final = {"completed", "busy", "failed", "no-answer", "canceled"}
    if status in final:
        ended = "completed" if status == "completed" else "failed"
        await _best_effort(services.store.end_call, call_sid, ended)
    return Response(status_code=204)


@router.websocket("/twilio/media")
async def media_stream(ws: WebSocket) -> None:
    """Twilio Media Streams: one bidirectional stream per call."""
    services: Services = ws.app.state.services
    settings = services.settings
    if services.draining:
        # An HTTP 503 instead of the upgrade: the balancer retries on another instance.
        await ws.send_denial_response(Response("draining", status_code=503))
        return
    if settings.twilio_validate:
        signature = ws.headers.get("x-twilio-signature")
        if not is_valid(settings.twilio_auth_token, settings.media_url, {}, signature):
            log.warning(
                "rejected media stream upgrade: %s signature", "bad" if signature else "missing"
            )
            await ws.close(code=1008)  # before accept(): the client gets HTTP 403
            return
    await ws.accept()

    async def send(text: str) -> None:
        if ws.client_state is WebSocketState.CONNECTED:
            await ws.send_text(text)

    async def close() -> None:
        if ws.client_state is WebSocketState.CONNECTED:
            # The caller may hang up while we close (a transfer and a hang-up crossing):
            # the stream is over either way, which is all closing is for.
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await ws.close()

    session = CallSession(services.call_deps(), send, close)
    services.live_calls.add(session)
    try:
        await _read_stream(
            ws, session, settings.max_ws_message_bytes, settings.stream_start_timeout_s
        )
    finally:
        services.live_calls.discard(session)
        await session.aclose()


async def _receive(
    ws: WebSocket, session: CallSession, start_by: float, start_timeout_s: float
) -> Message:
    """The next message; before ``start``, only until ``start_by`` (loop time). A socket
    that never starts would otherwise hold a session open for ever."""
    if session.stream_sid is not None:
        return await ws.receive()
    remaining = start_by - asyncio.get_running_loop().time()
    try:
        return await asyncio.wait_for(ws.receive(), timeout=max(remaining, 0.0))
    except TimeoutError:
        raise StreamProtocolError(f"no start within {start_timeout_s:g} s") from None


YIELD_EVERY = 16
"""Messages read before the reader lets other tasks run. Receiving does not suspend while
frames are already buffered, so one socket's burst would otherwise hold the event loop —
and every other call, ``/healthz`` and SIGTERM handling — until it had all been read."""


async def _read_stream(
    ws: WebSocket, session: CallSession, max_bytes: int, start_timeout_s: float
) -> None:
    received = 0
    start_by = asyncio.get_running_loop().time() + start_timeout_s
    try:
        while not session.finished:
            received += 1
            if received % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            message = await _receive(ws, session, start_by, start_timeout_s)
            if message["type"] == "websocket.disconnect":
                if not session.finished and session.call_sid is not None:
                    log.info("call %s: socket closed by Twilio", session.call_sid)
                return
            text = message.get("text")
            if text is None:
                raise StreamProtocolError("binary frame (Media Streams sends JSON text frames)")
            if len(text) > max_bytes:
                raise StreamProtocolError(f"message larger than {max_bytes} bytes")
            parsed = parse_message(text)
            if parsed is not None:
                await session.on_message(parsed)
    except (StreamProtocolError, SessionError) as exc:
        await session.abort(f"protocol error: {exc}")
    except WebSocketDisconnect:
        return
