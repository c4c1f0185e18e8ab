"""Properties over arbitrary input: the parser fails only in its own way, and everything a
compiled menu samples matches back to the intent that produced it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.grammar import Intent, Menu, Prompts, compile_menu
from ivr.grammar.expand import count, expand
from ivr.grammar.template import TemplateError, parse_template

TEMPLATE_CHARS = st.sampled_from([*"()[]{}| ab'_-,.Xé가", "\n", "\t"])


@given(st.text(TEMPLATE_CHARS, max_size=40) | st.text(max_size=40))
def test_parse_template_arbitrary_text_raises_only_template_error(text: str) -> None:
    try:
        parse_template(text)
    except TemplateError as error:
        assert 1 <= error.column <= len(text) + 1


def templates(vocabulary: list[str]) -> st.SearchStrategy[str]:
    """Well-formed template text over ``vocabulary`` that cannot match silence."""
    return st.tuples(st.sampled_from(vocabulary), optional_parts(vocabulary)).map(" ".join)


def optional_parts(vocabulary: list[str]) -> st.SearchStrategy[str]:
    """Any well-formed template over ``vocabulary``, nesting groups a few levels deep."""
    words = st.sampled_from(vocabulary)

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        options = st.lists(inner, min_size=1, max_size=3).map(" | ".join)
        return st.one_of(
            st.lists(inner, min_size=2, max_size=3).map(" ".join),
            options.map(lambda body: f"({body})"),
            options.map(lambda body: f"[{body}]"),
        )

    return st.recursive(words, grow, max_leaves=5)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(templates(["yes", "yeah", "please"]), min_size=1, max_size=3),
    st.lists(templates(["no", "nope", "thanks"]), min_size=1, max_size=3),
)
def test_compiled_menu_every_sample_matches_back_to_its_intent(
    yes_templates: list[str], no_templates: list[str]
) -> None:
    # Disjoint vocabularies keep the two intents apart, so every template must compile.
    menu = Menu(
        "property",
        Prompts("a", "b", "c"),
        (
            Intent("yes", "1", None, tuple(yes_templates), "p.yaml", 1),
            Intent("no", "2", None, tuple(no_templates), "p.yaml", 2),
        ),
        None,
        "p.yaml",
        1,
    )
    compiled = compile_menu(menu)
    for phrase in compiled.sample():
        match = compiled.match(phrase)
        assert match is not None
        assert match.intent == ("yes" if phrase.split()[0] in {"yes", "yeah", "please"} else "no")
        assert match.template in (yes_templates if match.intent == "yes" else no_templates)


@settings(max_examples=150, deadline=None)
@given(optional_parts(["a", "b", "c"]))
def test_count_always_equals_number_of_expansions(template: str) -> None:
    parsed = parse_template(template)
    assert count(parsed, {}) == len(list(expand(parsed, {})))
