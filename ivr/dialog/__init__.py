"""The pure dialog engine of the hotline: ``step(ctx, state, event) -> (state, effects)``."""

from ivr.dialog.context import DialogContext
from ivr.dialog.engine import step
from ivr.dialog.policy import DialogPolicy
from ivr.dialog.state import CallState, new_call_state

__all__ = ["CallState", "DialogContext", "DialogPolicy", "new_call_state", "step"]
