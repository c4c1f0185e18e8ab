"""Speech recognition behind one interface: Vosk (production) and PocketSphinx (embedded)."""
