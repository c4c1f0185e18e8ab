"""Parse sentence templates such as ``[what is] my {account_type} balance`` into an AST.

Syntax (hassil-like, kept small for ops staff):

- words, separated by spaces; normalized to lower case (see :mod:`ivr.grammar.normalize`)
- ``(a | b c)``  one of the alternatives
- ``[a | b]``    optionally one of the alternatives
- ``{name}``     one spoken alternative of slot list ``name``; the match yields its value
- ``a | b`` at the top level is the same as ``(a | b)``

Groups nest freely. Empty alternatives (``(a | )``, ``[]``) are errors rather than a
way to spell "optional": ``[...]`` says that more clearly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivr.grammar.normalize import words_of

GAP = "..."
"""In key and reject phrases, up to a few other words (:mod:`ivr.grammar.spotting`)."""


@dataclass(frozen=True)
class Word:
    """One normalized word."""

    text: str


@dataclass(frozen=True)
class SlotRef:
    """A ``{name}`` reference to a slot list."""

    name: str
    column: int


@dataclass(frozen=True)
class Sequence:
    """Items spoken one after the other."""

    items: tuple[Expression, ...]


@dataclass(frozen=True)
class Alternatives:
    """Exactly one option is spoken, or none when ``optional``."""

    options: tuple[Sequence, ...]
    optional: bool = False


Expression = Word | SlotRef | Sequence | Alternatives

_SLOT_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_SPECIAL = "()[]{}|"
_CLOSER = {"(": ")", "[": "]"}


class TemplateError(ValueError):
    """A template is malformed; ``column`` is 1-based within the template text."""

    def __init__(self, message: str, column: int) -> None:
        self.message = message
        self.column = column
        super().__init__(f"{message} at column {column}")


@dataclass(frozen=True)
class _Token:
    kind: str  # one of _SPECIAL, or "word"
    text: str
    column: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in _SPECIAL:
            tokens.append(_Token(char, char, i + 1))
            i += 1
        else:
            start = i
            while i < len(text) and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            tokens.append(_Token("word", text[start:i], start + 1))
    return tokens


class _Parser:
    """Recursive descent over the token list; one instance per template."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Alternatives | Sequence:
        result = self.alternatives(opened=None)
        token = self.peek()
        if token is not None:  # only a stray closer can stop the top-level parse early
            raise TemplateError(f"unexpected '{token.text}' with no matching opener", token.column)
        if len(result.options) == 1:
            return result.options[0]
        return result

    def alternatives(self, opened: _Token | None) -> Alternatives:
        """Parse ``seq | seq | …`` up to the closer of ``opened`` (or the end)."""
        options: list[Sequence] = []
        while True:
            sequence = self.sequence()
            token = self.peek()
            if not sequence.items:
                if token is None and opened is not None:
                    raise TemplateError(f"'{opened.kind}' is never closed", opened.column)
                if token is None and not options:
                    raise TemplateError("template has no words", 1)
                raise TemplateError("empty alternative", token.column if token else len(self.text))
            options.append(sequence)
            if token is None or token.kind != "|":
                return Alternatives(tuple(options), optional=bool(opened and opened.kind == "["))
            self.pos += 1

    def sequence(self) -> Sequence:
        items: list[Expression] = []
        while (token := self.peek()) is not None and token.kind not in "|)]}":
            self.pos += 1
            if token.kind == "word" and token.text == GAP:
                items.append(Word(GAP))  # key phrases only; see ivr.grammar.spotting
            elif token.kind == "word":
                items.extend(Word(word) for word in words_of(token.text))
            elif token.kind == "{":
                items.append(self.slot(token))
            else:
                group = self.group(token)
                # Splice plain groups in so "(a b) c" and "a b c" share one shape.
                items.extend(group.items if isinstance(group, Sequence) else (group,))
        return Sequence(tuple(items))

    def group(self, opener: _Token) -> Expression:
        inner = self.alternatives(opened=opener)
        closer = self.peek()
        expected = _CLOSER[opener.kind]
        if closer is None:
            raise TemplateError(f"'{opener.kind}' is never closed", opener.column)
        if closer.kind != expected:
            raise TemplateError(
                f"expected '{expected}' to close '{opener.kind}' from column {opener.column},"
                f" found '{closer.text}'",
                closer.column,
            )
        self.pos += 1
        # A plain one-option group adds nothing; flattening keeps JSGF and counts simple.
        if not inner.optional and len(inner.options) == 1:
            return inner.options[0]
        return inner

    def slot(self, opener: _Token) -> SlotRef:
        name_token = self.peek()
        if name_token is None or name_token.kind != "word":
            raise TemplateError("'{' must be followed by a slot list name", opener.column)
        self.pos += 1
        closer = self.peek()
        if closer is None or closer.kind != "}":
            raise TemplateError("slot reference is not closed with '}'", opener.column)
        self.pos += 1
        if not _SLOT_NAME.match(name_token.text):
            raise TemplateError(
                f"slot list name '{name_token.text}' must be lower case letters, digits, '_'",
                name_token.column,
            )
        return SlotRef(name_token.text, opener.column)


def parse_template(text: str) -> Expression:
    """Parse one template; raises :class:`TemplateError` (with a column) if it is malformed."""
    return _Parser(text).parse()
