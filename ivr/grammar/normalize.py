"""One spelling of spoken text, shared by grammar templates and recognizer output."""

from __future__ import annotations

import re

# Apostrophes survive only inside words ("what's"), as the recognizers' dictionaries spell them;
# every other non-word character separates words. Curly quotes come from word processors.
_CURLY_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_NON_WORD = re.compile(r"[^\w']+|_")
_STRAY_APOSTROPHE = re.compile(r"(?<!\w)'+|'+(?!\w)")


def normalize(text: str) -> str:
    """Lower-case ``text`` and reduce it to words separated by single spaces."""
    text = text.translate(_CURLY_APOSTROPHES).lower()
    text = _NON_WORD.sub(" ", text)
    text = _STRAY_APOSTROPHE.sub(" ", text)
    return " ".join(text.split())


def words_of(text: str) -> list[str]:
    """The normalized words of ``text``."""
    return normalize(text).split()
