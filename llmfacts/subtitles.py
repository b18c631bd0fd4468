"""Subtitle cues a viewer can read: at most two lines of about 42 characters, on screen 1-7 s each,
timed to the spoken words.

:func:`make_cues` splits a beat's text *as shown* at sentence ends, then at clauses (``, ; : —``), then
between words, into pieces that wrap into at most :data:`MAX_LINES` lines of :data:`MAX_CHARS`
characters. Each piece is timed by the words the voice says for it: the piece's spoken form (see
:mod:`llmfacts.speech_text`) tells how many of the spoken words belong to it, and the piece starts when
the first of them is said. When the spoken text differs from the shown one (an explicit ``spoken=``), the
pieces are mapped onto the spoken words in proportion to their counts. A piece that would stay on screen
longer than :data:`MAX_SECONDS` is split further; one shorter than :data:`MIN_SECONDS` is merged with a
neighbour when the two fit, or held a little longer.

No manim import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

__all__ = ["MAX_CHARS", "MAX_LINES", "MAX_SECONDS", "MIN_SECONDS", "make_cues", "split_text", "wrap_lines"]

MAX_CHARS = 42
MAX_LINES = 2
MIN_SECONDS = 1.0
MAX_SECONDS = 7.0

Word = tuple[str, float, float]


def wrap_lines(text: str, max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> list[str] | None:
    """``text`` broken between words into at most ``max_lines`` lines of at most ``max_chars`` characters,
    as evenly as possible (``None`` if it cannot be done)."""
    words = text.split()
    if not words:
        return []
    if len(" ".join(words)) <= max_chars:
        return [" ".join(words)]
    if max_lines < 2:
        return None
    best: tuple[int, list[str]] | None = None
    for cut in range(1, len(words)):
        first = " ".join(words[:cut])
        if len(first) > max_chars:
            break
        rest = wrap_lines(" ".join(words[cut:]), max_chars, max_lines - 1)
        if rest is None:
            continue
        lines = [first, *rest]
        # as even as possible, and a line that ends a clause reads better (worth a few characters)
        score = max(len(line) for line in lines) - (8 if first[-1] in ",;:.?!" else 0)
        if best is None or score < best[0]:
            best = (score, lines)
    return None if best is None else best[1]


def _fits(piece: str, max_chars: int, max_lines: int) -> bool:
    return wrap_lines(piece, max_chars, max_lines) is not None


def _split_words_evenly(piece: str, parts: int, weight: Callable[[str], float] | None = None) -> list[str]:
    """``piece`` cut between words into ``parts`` pieces of about equal weight (default: characters; the
    timing uses spoken words); a cut after a clause mark (``, ; :``) is preferred when it is within a
    quarter of a piece of the even point."""
    words = piece.split()
    parts = max(1, min(parts, len(words)))
    weight = weight or (lambda word: len(word) + 1)
    ends = []  # weight up to the end of each word
    used = 0.0
    for word in words:
        used += weight(word)
        ends.append(used)
    bonus = 0.25 * used / parts
    cuts, previous = [], 0
    for k in range(1, parts):
        target = used * k / parts
        choices = range(previous + 1, len(words) - (parts - k) + 1)  # cut after word index c - 1
        cut = min(choices, key=lambda c: abs(ends[c - 1] - target) - (bonus if words[c - 1][-1] in ",;:" else 0))
        cuts.append(cut)
        previous = cut
    bounds = [0, *cuts, len(words)]
    return [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:])]


def _split_long(piece: str, max_chars: int, max_lines: int) -> list[str]:
    """Split a piece that does not fit at clause marks, else between words."""
    if _fits(piece, max_chars, max_lines):
        return [piece]
    clauses = [c for c in re.split(r"(?<=[,;:])\s+|\s+(?=[—–]\s)", piece) if c.strip()]
    if len(clauses) > 1:
        merged: list[str] = []
        for clause in clauses:
            if merged and _fits(f"{merged[-1]} {clause}", max_chars, max_lines):
                merged[-1] = f"{merged[-1]} {clause}"
            else:
                merged.append(clause)
        return [p for m in merged for p in _split_long(m, max_chars, max_lines)]
    parts = 2
    while True:
        pieces = _split_words_evenly(piece, parts)
        if all(_fits(p, max_chars, max_lines) for p in pieces) or len(pieces) == len(piece.split()):
            return pieces
        parts += 1


def split_text(text: str, max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> list[str]:
    """``text`` cut into pieces that each wrap into ``max_lines`` lines of ``max_chars``: sentences first,
    then clauses, then words."""
    text = " ".join(text.split())
    if not text:
        return []
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9])", text) if s]
    return [p for s in sentences for p in _split_long(s, max_chars, max_lines)]


def _token_count(piece: str, to_spoken: Callable[[str], str]) -> int:
    return len(re.findall(r"[\w']+", to_spoken(piece).lower()))


def make_cues(
    text: str,
    words: Sequence[Word],
    duration: float,
    *,
    to_spoken: Callable[[str], str] | None = None,
    max_chars: int = MAX_CHARS,
    max_lines: int = MAX_LINES,
    min_seconds: float = MIN_SECONDS,
    max_seconds: float = MAX_SECONDS,
) -> list[tuple[float, float, str]]:
    """Cues ``(start, end, text with line breaks)`` for ``text`` said as ``words`` (``(word, start, end)``
    in seconds, one per spoken word) over ``duration`` seconds.

    ``to_spoken`` gives the spoken form of a piece of the shown text (default:
    :func:`llmfacts.speech_text.spoken_form`); it decides how many spoken words each piece takes.
    """
    if to_spoken is None:
        from llmfacts.speech_text import spoken_form as to_spoken
    pieces = split_text(text, max_chars, max_lines)
    if not pieces:
        return []
    starts = [float(w[1]) for w in words]
    end_of_speech = float(words[-1][2]) if words else float(duration)

    def timed(pieces: list[str]) -> list[list]:
        counts = [max(1, _token_count(p, to_spoken)) for p in pieces]
        total = sum(counts)
        n = len(starts)
        rows, cum = [], 0
        for piece, count in zip(pieces, counts):
            if n:
                index = min(n - 1, round(cum * n / total))
                begin = starts[index]
            else:
                begin = duration * cum / total
            rows.append([begin, 0.0, piece])
            cum += count
        for k, row in enumerate(rows):
            row[1] = rows[k + 1][0] if k + 1 < len(rows) else max(end_of_speech, row[0])
        return rows

    rows = timed(pieces)
    # too long on screen: split the piece between words and time again
    for _ in range(8):
        long_ = [k for k, (s, e, p) in enumerate(rows) if e - s > max_seconds and len(p.split()) > 1]
        if not long_:
            break
        new: list[str] = []
        for k, (s, e, p) in enumerate(rows):
            new += (_split_words_evenly(p, math.ceil((e - s) / max_seconds),
                                        lambda word: 0.2 + _token_count(word, to_spoken)) if k in long_ else [p])
        rows = timed(new)
    # too short: merge with a neighbour when the two fit and stay under the maximum
    k = 0
    while k < len(rows) and len(rows) > 1:
        s, e, p = rows[k]
        if e - s >= min_seconds:
            k += 1
            continue
        options = []
        if k > 0:
            options.append(k - 1)
        if k + 1 < len(rows):
            options.append(k)
        options = [j for j in options if _fits(f"{rows[j][2]} {rows[j + 1][2]}", max_chars, max_lines)
                   and rows[j + 1][1] - rows[j][0] <= max_seconds]
        if not options:
            k += 1
            continue
        j = min(options, key=lambda j: rows[j + 1][1] - rows[j][0])
        rows[j] = [rows[j][0], rows[j + 1][1], f"{rows[j][2]} {rows[j + 1][2]}"]
        del rows[j + 1]
        k = max(0, j)
    # still short: hold it longer (into the silence after the speech, never over the next cue)
    for k, row in enumerate(rows):
        if row[1] - row[0] < min_seconds:
            limit = rows[k + 1][0] if k + 1 < len(rows) else math.inf
            row[1] = min(row[0] + min_seconds, limit)
    return [(round(s, 3), round(e, 3), "\n".join(wrap_lines(p, max_chars, max_lines) or [p])) for s, e, p in rows]
