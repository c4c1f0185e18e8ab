"""The labelled caller utterances of the accuracy benchmark, and the conditions they are heard in.

Labels are the grammar's own: an in-scope utterance's expected intent is what the compiled
menu's exact matcher says the *text* means (so a label can never drift from the grammar),
and an out-of-scope utterance must match nothing. Includes sentences the regression suites
in ``grammars/*/tests`` deliberately left out because they fail: this set is not curated
to pass.
"""

from __future__ import annotations

from dataclasses import dataclass

OUT_OF_SCOPE = "no_match"


@dataclass(frozen=True)
class Utterance:
    """One thing a caller says at one menu."""

    menu: str
    text: str
    digits: str | None = None
    """Expected digit string for digit menus."""
    out_of_scope: bool = False


@dataclass(frozen=True)
class Condition:
    """How it is said: voice, rate (wpm), and line noise (None: faint hiss only)."""

    voice: str
    rate: int
    snr_db: float | None = None

    @property
    def label(self) -> str:
        noise = f", {self.snr_db:g} dB SNR" if self.snr_db is not None else ""
        return f"{self.voice} @{self.rate}{noise}"


def _in(menu: str, *texts: str) -> list[Utterance]:
    return [Utterance(menu, t) for t in texts]


def _oos(menu: str, *texts: str) -> list[Utterance]:
    return [Utterance(menu, t, out_of_scope=True) for t in texts]


ENGLISH: list[Utterance] = [
    *_in(
        "main",
        "balance",
        "what is my balance",
        "what's my account balance",
        "check my savings balance",
        "policy",
        "my insurance policy",
        "insurance",
        "i lost my card",
        "report a stolen card",
        "my debit card was stolen",
        "agent",
        "i want to talk to a person",
        "goodbye",
    ),
    *_oos(
        "main",
        "i would like to order a pizza",
        "what time do you close",
        "where is the nearest branch",
        "tell me a joke",
        "good morning",
    ),
    *_in("confirm", "yes", "yeah", "yes please", "that's right", "no", "nope", "that's wrong"),
    *_oos("confirm", "maybe", "what is the weather like"),
    Utterance("pin", "one two three four", digits="1234"),
    Utterance("pin", "two four six eight", digits="2468"),
    Utterance("pin", "one three five seven", digits="1357"),
    Utterance("pin", "nine eight seven six", digits="9876"),
    Utterance("pin", "five five five five", digits="5555"),
    Utterance("pin", "zero zero zero zero", digits="0000"),
]

KOREAN: list[Utterance] = [
    *_in("main", "상담원 연결", "종료", "보험", "잔액 조회", "다시 듣기", "처음으로"),
    *_oos("main", "오늘 날씨가 좋네요", "피자를 주문하고 싶어요"),
]

ENGLISH_CONDITIONS = [
    Condition("gmw/en-us", 150),
    Condition("gmw/en", 150),
    Condition("gmw/en-us-nyc", 150),
    Condition("gmw/en-us+f3", 150),
    Condition("gmw/en-us", 120),
    Condition("gmw/en-us", 190),
    Condition("gmw/en-us", 150, snr_db=15),
    Condition("gmw/en-us+f3", 170, snr_db=15),
]
KOREAN_CONDITIONS = [
    Condition("ko", 130),
    Condition("ko", 150),
    Condition("ko", 180),
    Condition("ko", 150, snr_db=15),
]
QUICK_ENGLISH_CONDITIONS = [ENGLISH_CONDITIONS[0], ENGLISH_CONDITIONS[3], ENGLISH_CONDITIONS[6]]
QUICK_KOREAN_CONDITIONS = [KOREAN_CONDITIONS[1], KOREAN_CONDITIONS[3]]
