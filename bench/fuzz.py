"""Fuzzing run of the parsers: ``python -m bench.fuzz [--examples N]``.

The test suite runs the same properties with hypothesis's default 100 examples; this run
asks for many more, with no deadline, and records how many inputs each parser survived.
A parser may reject input only with its own error type; anything else is a crash.

* the grammar template parser (``parse_template``) on arbitrary text;
* the grammar loader on arbitrary YAML files (only ``GrammarError``);
* the Media Streams parser on arbitrary text and on JSON shaped like Twilio's messages;
* the dialog engine on random event sequences against the shipped English grammars.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.app.adapters import SnapshotGrammar
from ivr.app.grammar_registry import GrammarSnapshot
from ivr.dialog.context import DialogContext
from ivr.dialog.engine import step
from ivr.dialog.events import (
    BackendFailed,
    CallerHungUp,
    CallStarted,
    Event,
    Heard,
    KeysEntered,
    NoInput,
    PromptFinished,
)
from ivr.dialog.state import new_call_state
from ivr.grammar import GrammarError, compile_grammar_set, load_grammar_dir
from ivr.grammar.template import TemplateError, parse_template
from ivr.twilio.media import StreamProtocolError, parse_message

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "bench" / "results" / "fuzz.json"

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=5),
    max_leaves=20,
)
EVENTS = ["connected", "start", "media", "dtmf", "mark", "stop", "clear", ""]
TEMPLATE_TEXT = st.text(st.sampled_from([*"()[]{}| ab'_-.é가", "\n"]), max_size=60) | st.text(
    max_size=60
)


def _fuzz_template(examples: int) -> None:
    @settings(max_examples=examples, deadline=None, database=None)
    @given(TEMPLATE_TEXT)
    def run(text: str) -> None:
        with contextlib.suppress(TemplateError):
            parse_template(text)

    run()


def _fuzz_loader(examples: int) -> None:
    keys = st.sampled_from(
        [
            "language",
            "menus",
            "main",
            "prompts",
            "initial",
            "intents",
            "say",
            "key",
            "slots",
            "digits",
            "min",
            "max",
            "global_intents",
            "messages",
            "confirm",
            "balance",
        ]
    )
    yamlish = st.lists(st.tuples(st.integers(0, 6), keys, st.text(max_size=20)), max_size=25).map(
        lambda rows: "\n".join(f"{' ' * indent}{k}: {v}" for indent, k, v in rows)
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(yamlish | st.text(max_size=200))
        def run(text: str) -> None:
            (path / "g.yaml").write_text(text, encoding="utf-8")
            with contextlib.suppress(GrammarError):
                load_grammar_dir(path)

        run()


def _fuzz_stream(examples: int) -> None:
    @settings(max_examples=examples, deadline=None, database=None)
    @given(
        st.text(max_size=300)
        | st.builds(
            lambda event, body, sid: json.dumps({"event": event, event: body, "streamSid": sid}),
            st.sampled_from(EVENTS),
            JSON,
            JSON,
        )
    )
    def run(text: str) -> None:
        with contextlib.suppress(StreamProtocolError):
            parse_message(text)

    run()


def _fuzz_dialog(examples: int) -> None:
    gs = load_grammar_dir(ROOT / "grammars" / "en")
    ctx = DialogContext(grammar=SnapshotGrammar(GrammarSnapshot(gs, compile_grammar_set(gs))))
    phrases = ["balance", "what is my balance", "agent", "yes", "no", "two four six eight", ""]
    event = st.one_of(
        st.builds(Heard, st.sampled_from(phrases) | st.text(max_size=20), st.floats(0, 1)),
        st.builds(KeysEntered, st.text("0123456789*#", max_size=14)),
        st.just(NoInput()),
        st.builds(PromptFinished, st.text(max_size=8)),
        st.builds(BackendFailed, st.sampled_from(["r0", "r1", "r2", "x"]), st.just("down")),
        st.just(CallerHungUp()),
    )

    @settings(max_examples=examples, deadline=None, database=None)
    @given(st.lists(event, max_size=30))
    def run(events: list[Event]) -> None:
        state = new_call_state("CA" + "0" * 32)
        state, _ = step(ctx, state, CallStarted("CA" + "0" * 32, "+14155550100", "+15005550006"))
        for e in events:
            state, _ = step(ctx, state, e)

    run()


TARGETS: dict[str, Callable[[int], None]] = {
    "grammar template parser": _fuzz_template,
    "grammar loader (YAML files)": _fuzz_loader,
    "Media Streams message parser": _fuzz_stream,
    "dialog engine (event sequences)": _fuzz_dialog,
}


def run_fuzz(examples: int) -> dict[str, Any]:
    """Run every target; a crash is recorded with its traceback, never raised."""
    rows = []
    for name, target in TARGETS.items():
        started = time.perf_counter()
        crash = None
        try:
            target(examples)
        except Exception:
            crash = traceback.format_exc(limit=6)
        rows.append(
            {
                "target": name,
                "examples": examples,
                "seconds": round(time.perf_counter() - started, 1),
                "crash": crash,
            }
        )
    return {"rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--examples", type=int, default=5000)
    args = parser.parse_args()
    result = run_fuzz(args.examples)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=1), encoding="utf-8")
    for row in result["rows"]:
        status = "CRASH" if row["crash"] else "no crash"
        print(f"{row['target']}: {row['examples']} inputs, {row['seconds']} s, {status}")
        if row["crash"]:
            print(row["crash"])


if __name__ == "__main__":
    main()
