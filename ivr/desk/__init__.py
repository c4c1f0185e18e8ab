"""The agent desk's core, without HTTP: the live feed of transfers and the gate every
sign-in passes through (its own password-hashing thread and a global rate limit). The desk's
routes and pages are in ``ivr.web.agent``."""
