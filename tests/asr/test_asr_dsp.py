"""The PocketSphinx front end must not depend on how the call chops its audio."""

from __future__ import annotations

import numpy as np

from ivr.asr.dsp import TelephoneTo16k, Upsampler2x


def _tone_pcm(seconds: float = 0.5) -> bytes:
    t = np.arange(int(8000 * seconds)) / 8000
    signal = 8000 * np.sin(2 * np.pi * 440 * t)
    return np.round(signal).astype("<i2").tobytes()


def test_upsampler_doubles_rate_and_keeps_the_tone() -> None:
    x = np.frombuffer(_tone_pcm(), dtype="<i2").astype(float)
    y = Upsampler2x().process(x)
    assert y.size == 2 * x.size
    spectrum = np.abs(np.fft.rfft(y[200:]))
    peak_hz = np.argmax(spectrum) * 16000 / (y.size - 200)
    assert abs(peak_hz - 440) < 10
    # The 8 kHz image of the tone (7560 Hz) must be suppressed by the interpolation filter.
    image_bin = int(7560 * (y.size - 200) / 16000)
    assert spectrum[image_bin - 3 : image_bin + 4].max() < spectrum.max() / 100


def test_front_end_output_is_independent_of_chunking() -> None:
    pcm = _tone_pcm()
    whole = TelephoneTo16k(seed=7, dither_amplitude=20).process(pcm)
    front = TelephoneTo16k(seed=7, dither_amplitude=20)
    # 20 ms Twilio frames, plus odd sizes that split a sample across calls.
    pieces, offset = [], 0
    for size in [320, 1, 319, 161, 7, 3000]:
        pieces.append(front.process(pcm[offset : offset + size]))
        offset += size
    pieces.append(front.process(pcm[offset:]))
    assert b"".join(pieces) == whole


def test_dither_replaces_digital_silence_with_low_noise() -> None:
    out = TelephoneTo16k(seed=1, dither_amplitude=20).process(bytes(3200))
    samples = np.frombuffer(out, dtype="<i2")
    assert samples.size == 3200
    assert np.count_nonzero(samples) > 0.9 * samples.size
    assert np.abs(samples).max() <= 20
