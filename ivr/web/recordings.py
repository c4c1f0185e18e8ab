"""``GET /api/recordings/{id}``: a kept recording of a not-understood turn (opt-in), as WAV.

Ids come from the no-match report. Same bearer token as the rest of ``/api``; ``no-store``
so no proxy or browser cache keeps a caller's voice.
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime.

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import FileResponse

from ivr.store import StoreError
from ivr.store.recordings import RecordingStore
from ivr.web.api import bearer_guard

log = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store"}


def make_recordings_router(
    get_recordings: Callable[[], RecordingStore | None], api_token: str
) -> APIRouter:
    """The ``/api/recordings`` routes (404 for everything while recording is off)."""
    router = APIRouter(
        prefix="/api/recordings",
        tags=["recordings"],
        dependencies=[Depends(bearer_guard(api_token))],
    )

    def lookup(recording_id: str) -> tuple[RecordingStore, Any]:
        store = get_recordings()
        if store is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, detail="recordings are off (IVR_RECORD_UTTERANCES)"
            )
        try:
            info = store.get(recording_id) if recording_id.isalnum() else None
        except StoreError as exc:
            log.error("recording lookup failed: %s", exc)
            raise HTTPException(503, detail="call store unavailable; try again shortly") from exc
        if info is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, detail=f"no recording {recording_id!r} (or expired)"
            )
        return store, info

    @router.get("/{recording_id}", response_model=None)
    def get_recording(recording_id: str) -> FileResponse:
        """The recording's audio: 8 kHz 16-bit mono WAV."""
        store, info = lookup(recording_id)
        return FileResponse(
            store.path(info.id),
            media_type="audio/wav",
            filename=f"{info.id}.wav",
            headers=NO_STORE,
        )

    @router.get("/{recording_id}/info", response_model=None)
    def get_info(recording_id: str) -> dict[str, Any]:
        """Which call, turn and menu it belongs to, and when it expires."""
        _, info = lookup(recording_id)
        return dict(info.__dict__)

    return router
