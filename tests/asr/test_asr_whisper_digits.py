"""Whisper reading digit strings under a constraint: only digits, exactly as many as asked.

Real speech (espeak-ng over the telephone channel) and the real tiny.en model."""

from __future__ import annotations

import pytest

from ivr.asr.whisper_engine import WhisperEngine
from ivr.recognition.decide import DecisionPolicy
from ivr.recognition.freepass import digit_lengths
from tests.asr.asr_speech import Speak


@pytest.fixture(scope="module")
def whisper() -> WhisperEngine:
    return WhisperEngine(threads=1, workers=1)


def test_whisper_digits_clearly_spoken_pin_is_read_right_and_probable(
    whisper: WhisperEngine, telephone_speech: Speak
) -> None:
    audio = telephone_speech("two four six eight", rate=130)
    (reading,) = whisper.read_digits(whisper.encode(audio, 30.0), (4,))
    assert reading.digits == "2468"
    assert reading.score > DecisionPolicy().reading_score and reading.margin > 1.0


def test_whisper_digits_every_length_asked_is_written_exactly(
    whisper: WhisperEngine, telephone_speech: Speak
) -> None:
    audio = telephone_speech("one two three four", rate=130)
    readings = whisper.read_digits(whisper.encode(audio, 30.0), (12, 4, 6))
    assert [len(r.digits) for r in readings] == [12, 4, 6]
    assert all(r.digits.isdigit() for r in readings)
    # What the caller said is the most probable as a whole, its end of speech included.
    assert max(readings, key=lambda r: r.total).digits == "1234"


def test_whisper_digits_words_that_are_not_digits_read_improbably(
    whisper: WhisperEngine, telephone_speech: Speak
) -> None:
    # The search writes digits whatever it hears; how improbable they are says it was not
    # a digit string at all (below the decision's floor: never counted as a PIN).
    for words in ("agent", "what is the weather like"):
        (reading,) = whisper.read_digits(whisper.encode(telephone_speech(words), 30.0), (4,))
        assert reading.score < DecisionPolicy().reading_score - 1.0


def test_whisper_digits_lengths_searched_are_the_longest_and_the_one_heard() -> None:
    assert digit_lengths(4, 4, "1 2 3") == (4,)
    assert digit_lengths(4, 12, "0 0 0 0 5 5 5 5 5 5 5") == (12, 11)
    assert digit_lengths(4, 12, "Agent.") == (12,)
    assert digit_lengths(4, 12, "2") == (12,)  # too short for the menu
