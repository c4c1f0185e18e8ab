"""Speech synthesis: pyttsx3 (espeak-ng on Linux) rendered to 8 kHz μ-law, cached on disk."""
