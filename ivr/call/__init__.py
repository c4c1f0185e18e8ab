"""One live call: the media-stream session that runs the dialog engine's effects."""
