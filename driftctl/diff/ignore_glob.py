"""The wildcard patterns of ``.driftignore`` lines, matched the way the Go driftctl tool does.

The Go tool hands each line to a gitignore matcher as one path segment, against the text
``TYPE.ID`` (or ``TYPE.ID.attribute.path``) with every ``/`` replaced by ``_-_`` on both sides.
So ``*`` matches any run of characters, dots included; ``?`` one character; ``[abc]``, ``[a-z]``
and ``[!x]`` / ``[^x]`` a character class; ``\\`` makes the next character literal. A line that
does not end in ``*`` also matches everything below what it names (the tool adds ``LINE.*``).
A pattern with a trailing lone ``\\`` or an unclosed ``[`` matches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

# The Go tool's stand-in for "/" (a gitignore pattern cannot match across a slash).
SLASH = "_-_"

# A character class: negated?, (low, high) ranges.
ClassSpec = tuple[bool, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Glob:
    """One compiled pattern; ``tokens`` drive ``could_start_with``."""

    text: str
    regex: re.Pattern[str]
    tokens: tuple[tuple[str, object], ...]
    below: bool  # also matches what lies below (``.…`` and, for our keys, ``[…]``)

    def matches(self, name: str) -> bool:
        return self.regex.fullmatch(name.replace("/", SLASH)) is not None

    def could_start_with(self, prefix: str) -> bool:
        """Whether some text beginning with ``prefix`` matches (used to find dead lines)."""
        end, extended = len(self.tokens), len(self.tokens) + 1
        states = self._closure({0})
        for ch in prefix.replace("/", SLASH):
            following: set[int] = set()
            for state in states:
                if state == extended:
                    following.add(extended)
                elif state == end:
                    if self.below and ch in ".[":
                        following.add(extended)
                else:
                    kind, value = self.tokens[state]
                    if kind == "star":
                        following.add(state)
                    elif _accepts(kind, value, ch):
                        following.add(state + 1)
            states = self._closure(following)
            if not states:
                return False
        return True

    def _closure(self, states: set[int]) -> set[int]:
        out, todo = set(states), list(states)
        while todo:
            state = todo.pop()
            star = state < len(self.tokens) and self.tokens[state][0] == "star"
            if star and state + 1 not in out:
                out.add(state + 1)
                todo.append(state + 1)
        return out


class BadPattern(ValueError):
    """A pattern the Go tool's matcher would never match (why, in one line)."""


def compile_glob(text: str) -> Glob:
    """Compile one ``.driftignore`` pattern (without its ``!``); raises BadPattern."""
    body = text.replace("/", SLASH)
    tokens = _tokens(body)
    regex = "".join(_regex(kind, value) for kind, value in tokens)
    below = not body.endswith("*")
    if below:
        # "LINE.*" in the Go tool; our attribute keys also go below with "[" (ingress[…]).
        regex += r"(?:[.\[].*)?"
    return Glob(text=text, regex=re.compile(regex, re.DOTALL), tokens=tokens, below=below)


def escape(text: str) -> str:
    """``text`` as a pattern that matches exactly it: dots and wildcards escaped."""
    out = re.sub(r"([\\.*?\[\]])", r"\\\1", text)
    # The matcher trims trailing spaces unless the last one is escaped.
    return out[:-1] + "\\ " if out.endswith(" ") else out


def _tokens(body: str) -> tuple[tuple[str, object], ...]:
    tokens: list[tuple[str, object]] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch == "\\":
            if i + 1 >= n:
                raise BadPattern("it ends with a lone \\")
            tokens.append(("lit", body[i + 1]))
            i += 2
        elif ch == "*":
            if not tokens or tokens[-1][0] != "star":
                tokens.append(("star", None))
            i += 1
        elif ch == "?":
            tokens.append(("any", None))
            i += 1
        elif ch == "[":
            cls, i = _class(body, i + 1)
            tokens.append(("class", cls))
        else:
            tokens.append(("lit", ch))
            i += 1
    return tuple(tokens)


def _class(body: str, i: int) -> tuple[ClassSpec, int]:
    """Parse ``[...]`` from just after the ``[``; returns ((negated, ranges), next index)."""
    n = len(body)
    negated = i < n and body[i] in "!^"
    if negated:
        i += 1
    ranges: list[tuple[str, str]] = []
    first = True
    while i < n and (body[i] != "]" or first):
        first = False
        lo = body[i]
        if lo == "\\":
            if i + 1 >= n:
                raise BadPattern("a character class ends with a lone \\")
            lo, i = body[i + 1], i + 2
        else:
            i += 1
        hi = lo
        if i + 1 < n and body[i] == "-" and body[i + 1] != "]":
            hi = body[i + 1]
            if hi == "\\" and i + 2 < n:
                hi, i = body[i + 2], i + 3
            else:
                i += 2
        if lo > hi:
            raise BadPattern(f"the range {lo}-{hi} in a character class is backwards")
        ranges.append((lo, hi))
    if i >= n:
        raise BadPattern("a [ is never closed")
    return (negated, tuple(ranges)), i + 1


def _regex(kind: str, value: object) -> str:
    if kind == "lit":
        return re.escape(str(value))
    if kind == "star":
        return ".*"
    if kind == "any":
        return "."
    negated, ranges = cast(ClassSpec, value)
    parts = "".join(
        re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}" for lo, hi in ranges
    )
    return f"[{'^' if negated else ''}{parts}]"


def _accepts(kind: str, value: object, ch: str) -> bool:
    """Whether a one-character token (``lit``, ``any``, ``class``) matches ``ch``."""
    if kind == "any":
        return True
    if kind == "lit":
        return value == ch
    return kind == "class" and _in_class(value, ch)


def _in_class(value: object, ch: str) -> bool:
    negated, ranges = cast(ClassSpec, value)
    inside = any(lo <= ch <= hi for lo, hi in ranges)
    return inside != negated
