"""Composition: the running hotline's services built from settings, and the adapters that
connect the pure dialog engine to the grammars and the store. The web layer (``ivr.web``)
serves them; nothing here knows about HTTP."""
