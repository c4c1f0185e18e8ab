"""Free-form transcripts in the grammar's spelling: what the dialog can match.

Whisper writes like a subtitle ("Goodbye. Goodbye. Goodbye.", "2 4 6 8", "Double 5, 3 7.");
grammars are written in lower-case words. :func:`clean` turns the first into the second:
punctuation and case go (the grammar normalizer's rules), a phrase the model looped on is
kept once, and numerals become digit words only where a digits menu will read them.
"""

from __future__ import annotations

from ivr.grammar.compiler import CompiledMenu
from ivr.grammar.digits import DIGIT_WORDS
from ivr.grammar.normalize import normalize

_NUMBER_WORDS = {v: k for k, v in DIGIT_WORDS.items() if k != "oh"}
_MULTIPLIERS = {"double": 2, "triple": 3}
LEAD_INS = frozenset(
    {
        "my", "the", "pin", "number", "account", "is", "it's", "its", "it", "that's",
        "uh", "um", "er", "erm", "ok", "okay", "so", "yes", "yeah", "sure", "right", "ah",
        "please", "thanks", "thank", "you",
    }
)  # fmt: skip
"""Words callers put around a digit string ("uh, my pin is …"); "oh" is a digit here."""


def collapse_loops(words: list[str], *, max_phrase: int = 4) -> list[str]:
    """Drop immediate repeats of a phrase (``goodbye goodbye goodbye`` → ``goodbye``).

    Whisper repeats a short answer when its context is mostly padding; a caller does not
    say "agent agent agent agent". Digit strings are exempt (``5 5 5 5`` is a PIN), so
    callers of this function pass only non-digit menus' text.
    """
    out: list[str] = []
    for word in words:
        out.append(word)
        for size in range(1, max_phrase + 1):
            if len(out) >= 2 * size and out[-size:] == out[-2 * size : -size]:
                del out[-size:]
                break
    return out


def spell_digits(words: list[str]) -> list[str]:
    """Numerals and "double"/"triple" as digit words: ``["24", "double", "5"]`` →
    ``["two", "four", "five", "five"]``. Other words are kept."""
    out: list[str] = []
    repeat = 1
    for word in words:
        if word in _MULTIPLIERS:
            repeat = _MULTIPLIERS[word]
            continue
        spelled = _as_digit_words(word)
        if spelled:
            out.extend([spelled[0]] * (repeat - 1) + spelled)
        else:  # a multiplier before a non-digit was a word after all
            out += [*(["double" if repeat == 2 else "triple"] if repeat > 1 else []), word]
        repeat = 1
    return out


def _as_digit_words(word: str) -> list[str]:
    """``"24"`` → ``["two", "four"]``, a digit word as itself, anything else ``[]``."""
    if word.isascii() and word.isdigit():
        return [_NUMBER_WORDS[ch] for ch in word]
    return [word] if word in DIGIT_WORDS else []


def clean(text: str, *, digits: bool) -> str:
    """``text`` as grammar words: loops collapsed (not in digit menus), numerals spelled."""
    words = normalize(text).split()
    words = spell_digits(words) if digits else collapse_loops(words)
    return " ".join(words)


def digit_run(words: list[str]) -> str | None:
    """The digits of one spoken digit string with lead-in words around it
    (``my pin is two four six eight`` → ``"2468"``), or None when other words are mixed in."""
    digits = ""
    started = ended = False
    for word in words:
        if word in DIGIT_WORDS:
            if ended:
                return None
            started = True
            digits += DIGIT_WORDS[word]
        elif word in LEAD_INS:
            ended = started
        else:
            return None
    return digits or None


def clean_free(text: str, menu: CompiledMenu) -> str:
    """:func:`clean` for ``menu`` (digit spelling in digits menus, loop collapsing elsewhere)."""
    return clean(text, digits=menu.menu.digits is not None)


def spell(digits: str) -> str:
    """``"2408"`` → ``"two four zero eight"``: a digit string as the grammar's words."""
    return " ".join(_NUMBER_WORDS[ch] for ch in digits if ch in _NUMBER_WORDS)


def unloop_digits(digits: str, length: int) -> str | None:
    """A fixed-length digit string Whisper looped on (``"24682468246"`` for a PIN of 4)
    cut back to one period; None when the extra digits are not a repetition of it."""
    if len(digits) <= length:
        return None
    head = digits[:length]
    repeated = all(digits[i] == head[i % length] for i in range(len(digits)))
    return head if repeated else None


def ends_a_sentence(text: str) -> bool:
    """Whisper closed what it heard as a whole sentence ("… my balance." / "… active?"),
    not a trailing-off one ("I'd like to…", "so um"): the caller has finished speaking."""
    stripped = text.rstrip()
    return stripped.endswith((".", "?", "!")) and not stripped.endswith("..")
