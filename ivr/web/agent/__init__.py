"""The agent desk: warm-transfer context, live, for signed-in agents (``/agent``)."""
