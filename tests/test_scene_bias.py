"""BiasShift: what it says is what the toy block computes, for the default lecture, Marie Curie and biases that
break the AND gate; its layout parameters are checked; it runs for another lecture.

The claims are checked against scores derived here from the block's weights (row 0 of W↑ against the sum of
the pair's two name directions, plus b↑[0]), not against the scene's own table.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.story import SceneParameterError
from llmfacts.testing import dry_run, prepared_scene
from scenes.bias import BiasShift

CURIE = load_lecture("examples/marie_curie.py")
LECTURES = {
    "default": DEFAULT_LECTURE,
    "curie": CURIE,
    "loose_bias": DEFAULT_LECTURE.replace(toy={"up_bias": -0.5}),  # one-name pairs get through
    "strict_bias": DEFAULT_LECTURE.replace(toy={"up_bias": -2.5}),  # even the full name is stopped
    "overlap": DEFAULT_LECTURE.replace(toy={"overlap": 0.3}),  # nearly perpendicular names
}


def scores(lecture):
    """(pair, shared names, row-0 score, score + bias) for each contrast pair, from the weights."""
    mlp, fact = lecture.toy_mlp(), lecture.fact
    out = []
    for first, last in lecture.contrast_pairs():
        dot = float(mlp.W_up[0] @ (mlp.direction(first) + mlp.direction(last)))
        shared = (first == fact.first_name) + (last == fact.last_name)
        out.append(((first, last), shared, dot, dot + float(mlp.b_up[0])))
    return out


def numbers_in(text: str) -> list[float]:
    return [float(m.replace("\u2212", "-")) for m in re.findall(r"[\u2212-]?\d+\.\d+", text)]


def test_contrast_pairs_keep_two_one_one_and_no_names():
    for lecture in (DEFAULT_LECTURE, CURIE):
        fact = lecture.fact
        pairs = lecture.contrast_pairs()
        shared = [(first == fact.first_name) + (last == fact.last_name) for first, last in pairs]
        assert shared == [2, 1, 1, 0]
        assert pairs[1][0] == fact.first_name and pairs[2][1] == fact.last_name
    assert CURIE.contrast_pairs()[1:] == (("Marie", "Antoinette"), ("Pierre", "Curie"), ("Pierre", "Antoinette"))


@pytest.mark.parametrize("key", LECTURES)
def test_verdict_is_the_predicate_over_the_scores(key):
    lecture = LECTURES[key]
    scene = prepared_scene(BiasShift, lecture=lecture)
    verdict = scene.lines["only_full_name"]
    table = scores(lecture)
    positive = [pair for pair, _, _, pre in table if pre > 1e-9]
    full = (lecture.fact.first_name, lecture.fact.last_name)
    if positive == [full]:
        assert "positive only for the full name" in verdict
        # "with one name or none it sits at zero or below"
        assert all(pre <= 1e-9 for _, shared, _, pre in table if shared < 2)
    else:
        assert "only for the full name" not in verdict
        assert f"{len(positive)} of {len(table)} pairs" in verdict
        for first, last in positive:
            if (first, last) != full:
                assert f"{first} {last}" in verdict
    if any(pre <= 0 for pair, _, _, pre in table if pair == full):
        assert "even the full name" in verdict
    assert {"loose_bias": "not only", "strict_bias": "even the full name"}.get(key, "only for the full name") in verdict


@pytest.mark.parametrize("key", LECTURES)
def test_sentences_quote_the_scores_and_the_bias(key):
    lecture = LECTURES[key]
    scene = prepared_scene(BiasShift, lecture=lecture)
    table = scores(lecture)
    bias = float(lecture.toy_mlp().b_up[0])
    recap, shift = scene.lines["recap"], scene.lines["shift"]
    full_dot, full_pre = table[0][2], table[0][3]
    assert f"{lecture.full_name} it reads {full_dot:.2f}".replace("-", "\u2212") in recap
    assert numbers_in(scene.lines["add_bias"]) == [pytest.approx(bias, abs=0.005)]
    said = numbers_in(shift)
    assert said[0] == pytest.approx(bias, abs=0.005)  # "by the same −1.00"
    assert said[1:3] == [pytest.approx(full_dot, abs=0.005), pytest.approx(full_pre, abs=0.005)]
    # every number said after the bias is a score before and after it, in order, for the one-name then no-name pairs
    for shared, (before, after) in zip((1, 0), zip(said[3::2], said[4::2])):
        group = [(dot, pre) for _, s, dot, pre in table if s == shared]
        assert min(d for d, _ in group) - 0.005 <= before <= max(d for d, _ in group) + 0.005
        assert after == pytest.approx(before + bias, abs=0.011)


def test_recap_says_what_row_zero_is():
    """ "Row 0 is the one that asks about both names": row 0 of W↑ is the sum of the two name directions."""
    for lecture in (DEFAULT_LECTURE, CURIE):
        mlp, fact = lecture.toy_mlp(), lecture.fact
        np.testing.assert_allclose(mlp.W_up[0], mlp.direction(fact.first_name) + mlp.direction(fact.last_name),
                                   atol=1e-12)
        assert "asks about both names" in prepared_scene(BiasShift, lecture=lecture).lines["recap"]


def test_other_rows_have_biases_of_their_own():
    mlp = DEFAULT_LECTURE.toy_mlp()
    assert len({round(float(b), 9) for b in mlp.b_up[1:]}) > 1
    assert "The other rows have biases of their own." in prepared_scene(BiasShift).lines["only_full_name"]


def test_describe_follows_the_lecture():
    assert BiasShift.describe(DEFAULT_LECTURE).endswith("only Michael Jordan stays positive")
    curie = BiasShift.describe(CURIE)
    assert "Marie Curie" in curie and "Michael" not in curie and "Jordan" not in curie
    assert BiasShift.describe(LECTURES["loose_bias"]).endswith("3 of 4 name pairs stay positive")


@pytest.mark.parametrize(("attribute", "value"), [("decimals", -1), ("shown_rows", 0), ("lane_pitch", 0.0)])
def test_bad_layout_parameter_is_one_line_naming_it(attribute, value):
    with pytest.raises(SceneParameterError, match=rf"BiasShift\.{attribute}: ") as error:
        prepared_scene(BiasShift, **{attribute: value})
    assert "\n" not in str(error.value)


def test_runs_for_another_lecture_and_speaks_its_lines(manim_media_dir):
    spoken: list[str] = []

    class CurieBiasShift(BiasShift):
        lecture = CURIE

        def narrate(self, text, duration=None, *, speech=None):
            spoken.append(text)
            return super().narrate(text, duration, speech=speech)

    seconds = dry_run(CurieBiasShift, media_dir=manim_media_dir)
    expected = prepared_scene(BiasShift, lecture=CURIE).lines
    assert spoken == [expected[step] for step in BiasShift.steps]
    assert 15 <= seconds <= 90
    joined = " ".join(spoken)
    assert "Marie Curie" in joined and "Michael" not in joined and "basketball" not in joined
