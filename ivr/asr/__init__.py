"""Speech recognition behind one interface: Vosk (production) and PocketSphinx (embedded).

- ``base``: the fixed port (``SpeechEngine``, ``RecognizerSession``, ``Transcript`` …).
- ``select``: ``select_engine`` / ``plan_engine`` choose an engine and say why.
- ``vosk_engine`` / ``pocketsphinx_engine``: the two engines (native libraries, imported
  only when that engine is loaded).
- ``dsp``: 8 → 16 kHz upsampling and dither for PocketSphinx.
- ``models``: ``pull_model`` for ``ivr models pull``.
- ``errors``: ``EngineError`` / ``ModelDownloadError``.
"""
