"""Subtitle cues: at most two lines of 42 characters, 1-7 s on screen, timed to the spoken words."""

from __future__ import annotations

import re

import pytest

from llmfacts.speech_text import spoken_form, spoken_tokens
from llmfacts.subtitles import MAX_CHARS, make_cues, split_text, wrap_lines

# One of the video's long narration lines (over 330 characters, once a single cue).
LONG = ("How many directions fit if every pair must stay nearly perpendicular? Exactly perpendicular, only as "
        "many as there are dimensions: 12,288 in GPT-3. Allow ±1° and the count explodes, because in high "
        "dimensions almost every pair of random directions is already within a degree or two of 90°; "
        "a proven limit and what random vectors achieve bracket the true number from both sides.")


def timed_words(text: str, seconds_per_word: float = 0.35, start: float = 0.2) -> list[tuple[str, float, float]]:
    """Spoken words of ``text`` at an even pace, with a 0.5 s pause after each sentence."""
    out, t = [], start
    for sentence in re.split(r"(?<=[.!?])\s+", spoken_form(text)):
        for token in spoken_tokens(sentence):
            out.append((token, t, t + seconds_per_word))
            t += seconds_per_word
        t += 0.5
    return out


def check_limits(cues, total: float) -> None:
    for start, end, content in cues:
        lines = content.split("\n")
        assert 1 <= len(lines) <= 2, content
        assert all(len(line) <= MAX_CHARS for line in lines), content
        assert 1.0 - 1e-6 <= end - start <= 7.0 + 1e-6, (start, end, content)
    for (_, end, _), (start, _, _) in zip(cues, cues[1:]):
        assert end <= start + 1e-9  # in order, never overlapping
    assert cues[-1][1] <= total + 1.0


def test_wrap_lines_balances_two_lines():
    assert wrap_lines("short") == ["short"]
    lines = wrap_lines("Row zero of the up-projection asks whether the first name is here")
    assert len(lines) == 2 and all(len(line) <= 42 for line in lines)
    assert abs(len(lines[0]) - len(lines[1])) <= 12
    assert wrap_lines("x" * 50) is None  # one word longer than a line cannot be wrapped


def test_long_narration_becomes_readable_cues_that_keep_every_word():
    words = timed_words(LONG)
    cues = make_cues(LONG, words, words[-1][2] + 0.4)
    check_limits(cues, words[-1][2] + 0.4)
    assert len(cues) >= 5
    assert " ".join(c for _, _, c in cues).split() == LONG.split()  # nothing lost, nothing added


def test_cues_start_when_their_first_word_is_said():
    text = "First we draw the circle. Then, 10,000 rows light up at once. Finally the square fades in."
    words = timed_words(text, 0.4)
    cues = make_cues(text, words, words[-1][2])
    # independently: the sentence "Then ..." starts after the 5 spoken words of the first sentence,
    # "Finally ..." after 5 + 8 ("then ten thousand rows light up at once")
    starts = {c.split()[0]: s for s, _, c in cues}
    assert starts["First"] == pytest.approx(words[0][1])
    assert starts["Then,"] == pytest.approx(words[5][1])
    assert starts["Finally"] == pytest.approx(words[13][1])
    assert [w for w, _, _ in words[5:8]] == ["then", "ten", "thousand"]


def test_slow_speech_is_split_to_stay_under_seven_seconds():
    text = "This sentence is spoken very slowly so that a single cue would stay on screen for far too long."
    words = timed_words(text, 1.1)  # 19 words over about 21 s
    cues = make_cues(text, words, words[-1][2])
    check_limits(cues, words[-1][2])
    assert len(cues) >= 3


def test_short_sentences_are_merged_or_held_for_a_second():
    text = "Yes. No. Maybe."
    words = timed_words(text, 0.25)
    cues = make_cues(text, words, words[-1][2])
    check_limits(cues, words[-1][2])
    assert " ".join(c for _, _, c in cues).split() == text.split()


def test_explicit_spoken_text_is_mapped_in_proportion():
    shown = "The block holds 603,979,776 weights. Each one is a number the training has set."
    spoken = "The block holds about six hundred and four million weights. Each one is a number the training has set."
    words = timed_words(spoken, 0.3)
    cues = make_cues(shown, words, words[-1][2])
    check_limits(cues, words[-1][2])
    assert cues[0][0] == pytest.approx(words[0][1])
    assert cues[-1][1] == pytest.approx(words[-1][2])


def test_split_text_cuts_at_sentences_then_clauses():
    pieces = split_text("A short one. " + "This clause is long enough to need its own cue, and this one too, "
                        "and a last clause that ends the sentence.")
    assert pieces[0] == "A short one."
    assert all(wrap_lines(p) is not None for p in pieces)
    assert pieces[1].endswith(",")  # the cut falls after a comma, not inside a clause
