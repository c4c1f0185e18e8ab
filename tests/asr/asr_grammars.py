"""Hand-written menu grammars for the recognizer tests (the grammar compiler is not ours)."""

from __future__ import annotations

from ivr.asr.base import RecognizerGrammar

EN_PHRASES = (
    "what is my balance",
    "my balance",
    "balance",
    "my policy",
    "policy",
    "talk to an agent",
    "agent",
    "main menu",
    "i lost my card",
    "goodbye",
    "yes",
    "no",
)

EN_JSGF = """#JSGF V1.0;
grammar menu;
public <main> = [what is] [my] balance | [my] policy | [talk to an] agent | main menu
              | i lost my card | goodbye | yes | no;
"""

KO_PHRASES = (
    "잔액",
    "잔액 조회",
    "보험",
    "보험 청구",
    "상담원",
    "상담원 연결",
    "카드 분실",
    "계좌 이체",
    "처음으로",
    "종료",
    "네",
    "아니요",
)


def _words(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for p in phrases for w in p.split())


EN_MENU = RecognizerGrammar(
    key="test-en-menu", phrases=EN_PHRASES, jsgf=EN_JSGF, words=_words(EN_PHRASES)
)
KO_MENU = RecognizerGrammar(
    key="test-ko-menu", phrases=KO_PHRASES, jsgf="", words=_words(KO_PHRASES)
)
