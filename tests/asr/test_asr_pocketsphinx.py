"""PocketSphinx on real synthesized speech through a telephone channel."""

from __future__ import annotations

import pytest

from ivr.asr.base import RecognizerGrammar, Transcript
from ivr.asr.errors import EngineError
from ivr.asr.pocketsphinx_engine import PocketSphinxEngine
from tests.asr.asr_grammars import EN_MENU
from tests.asr.asr_speech import Speak

FRAME = 320  # 20 ms of 8 kHz 16-bit PCM, the size of one Twilio media frame

UTTERANCES = [
    "what is my balance",
    "main menu",
    "i lost my card",
    "goodbye",
    "my policy",
    "talk to an agent",
    "agent",
    "yes",
]


@pytest.fixture(scope="module")
def engine() -> PocketSphinxEngine:
    return PocketSphinxEngine()


def decode(engine: PocketSphinxEngine, pcm: bytes, chunk: int | None = FRAME) -> Transcript:
    session = engine.open(EN_MENU)
    step = chunk or len(pcm)
    for offset in range(0, len(pcm), step):
        session.accept(pcm[offset : offset + step])
    return session.finish()


@pytest.mark.slow
@pytest.mark.parametrize("rate", [130, 160])
def test_recognizes_menu_phrases(
    engine: PocketSphinxEngine, telephone_speech: Speak, rate: int
) -> None:
    # Measured 30/30 at rates 130/150/170; allow one miss so a voice update is not fatal.
    results = {u: decode(engine, telephone_speech(u, rate=rate)) for u in UTTERANCES}
    correct = [u for u, t in results.items() if t.text == u]
    assert len(correct) >= len(UTTERANCES) - 1, results
    for text in correct:
        transcript = results[text]
        assert transcript.engine == "pocketsphinx"
        assert 0.5 < transcript.confidence <= 1.0
        assert [w.word for w in transcript.words] == text.split()


@pytest.mark.slow
def test_chunked_feeding_equals_whole_utterance(telephone_speech: Speak) -> None:
    pcm = telephone_speech("i lost my card")
    # Fresh engines: a pooled decoder's live cepstral mean depends on its earlier utterances.
    whole = decode(PocketSphinxEngine(), pcm, chunk=None)
    chunked = decode(PocketSphinxEngine(), pcm, chunk=FRAME)
    odd = decode(PocketSphinxEngine(), pcm, chunk=333)
    assert whole.text == "i lost my card"
    assert chunked == whole
    assert odd == whole


@pytest.mark.slow
def test_a_pooled_decoder_forgets_what_it_heard_before(telephone_speech: Speak) -> None:
    # One caller's audio must not change how the next caller on that decoder is heard
    # (it did: the front end carried state across utterances, flipping borderline results).
    target = telephone_speech("main menu")
    alone = decode(PocketSphinxEngine(), target)
    shared = PocketSphinxEngine()  # one decoder, reused for every utterance below
    for before in ["i lost my card", "goodbye", "talk to an agent", "yes"]:
        decode(shared, telephone_speech(before))
        assert decode(shared, target) == alone  # text, confidence and every word's score


@pytest.mark.slow
def test_audio_is_decoded_as_it_arrives(
    engine: PocketSphinxEngine, telephone_speech: Speak
) -> None:
    # So ``finish`` (on the caller's turn-latency path) only has the last block left to do.
    pcm = telephone_speech("what is my balance")  # ~2.3 s with the pads
    session = engine.open(EN_MENU)
    for offset in range(0, len(pcm), FRAME):
        session.accept(pcm[offset : offset + FRAME])
    decoded_ms = session.decoded_ms()
    audio_ms = len(pcm) // 16
    # Behind by at most one 100 ms block plus the front end's look-ahead of a few frames.
    assert audio_ms - 200 <= decoded_ms <= audio_ms
    assert session.finish().text == "what is my balance"


@pytest.mark.slow
def test_noise_only_gives_empty_transcript(engine: PocketSphinxEngine) -> None:
    transcript = decode(engine, bytes(16000))  # one second of exact digital silence
    assert transcript.text == ""
    assert transcript.confidence == 0.0


@pytest.mark.slow
def test_partial_result_grows_during_the_utterance(
    engine: PocketSphinxEngine, telephone_speech: Speak
) -> None:
    pcm = telephone_speech("i lost my card")
    session = engine.open(EN_MENU)
    session.accept(pcm[: len(pcm) * 3 // 4])
    assert session.partial() != ""
    session.accept(pcm[len(pcm) * 3 // 4 :])
    assert session.finish().text == "i lost my card"


def test_missing_words_checks_the_dictionary(engine: PocketSphinxEngine) -> None:
    assert engine.missing_words(["balance", "Policy", "zzqxwv", "agent", "bnkxq"]) == [
        "zzqxwv",
        "bnkxq",
    ]
    assert engine.missing_words(["read"]) == []  # has variants read(2) in the dictionary


def test_grammar_with_unknown_word_is_a_clear_error(engine: PocketSphinxEngine) -> None:
    bad = RecognizerGrammar(
        key="bad",
        phrases=("zzqxwv",),
        jsgf="#JSGF V1.0;\ngrammar bad;\npublic <main> = zzqxwv;\n",
    )
    with pytest.raises(EngineError, match="could not compile grammar bad"):
        engine.open(bad)
    # The decoder went back to the pool and still works for a good grammar.
    assert engine.open(EN_MENU).finish().text == ""


def test_decoders_are_pooled_and_grammar_searches_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = PocketSphinxEngine()  # loads one decoder at start-up
    loaded: list[object] = []
    load = engine._new_decoder

    def counting_load() -> object:
        loaded.append(1)
        return load()

    monkeypatch.setattr(engine, "_new_decoder", counting_load)
    first = engine.open(EN_MENU)
    second = engine.open(EN_MENU)  # both busy at once: a second decoder is loaded
    first.finish()
    second.finish()
    assert len(loaded) == 1
    searches = [dict(pooled._searches) for pooled in engine._idle]
    for _ in range(20):
        engine.open(EN_MENU).finish()
    # Loading a decoder costs ~0.15 s and compiling a grammar a few ms: sequential
    # utterances reuse the pooled decoders and their compiled search (a recompiled
    # grammar would get a new search name).
    assert len(loaded) == 1
    assert [dict(pooled._searches) for pooled in engine._idle] == searches


def test_finished_session_cannot_be_reused(engine: PocketSphinxEngine) -> None:
    session = engine.open(EN_MENU)
    session.finish()
    with pytest.raises(EngineError):
        session.accept(bytes(320))
