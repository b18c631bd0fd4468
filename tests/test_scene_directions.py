"""MeaningDirections: angles, readouts and sentences from the lecture's toy block, for two lectures."""

from __future__ import annotations

import numpy as np
import pytest

from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.testing import prepared_scene
from scenes.directions import MeaningDirections

MARIE = load_lecture("examples/marie_curie.py")


@pytest.mark.parametrize("lecture", [DEFAULT_LECTURE, MARIE], ids=["default", "marie-curie"])
def test_directions_and_the_full_name_readout(lecture):
    scene = prepared_scene(MeaningDirections, lecture=lecture)
    mlp, fact = lecture.toy_mlp(), lecture.fact
    names = (fact.first_name, fact.last_name, fact.attribute)
    assert scene.names3 == names
    for (a, b), dot in scene.pair_dots.items():
        assert dot == pytest.approx(float(mlp.direction(a) @ mlp.direction(b)), abs=1e-12)
    # the full name is the sum of the two name directions, so it reads 1, 1 and (perpendicular) 0
    expected = mlp.direction(names[0]) + mlp.direction(names[1])
    np.testing.assert_allclose(scene.full, expected, atol=1e-12)
    assert [round(scene.full_readout[n], 6) for n in names] == [1.0, 1.0, 0.0]
    assert scene.exactly_perpendicular


def test_nearly_perpendicular_toy_changes_the_sentence():
    lecture = DEFAULT_LECTURE.replace(toy={"overlap": 0.1})
    scene = prepared_scene(MeaningDirections, lecture=lecture)
    angles = list(scene.pair_angles.values())
    assert all(80 < a < 100 for a in angles) and any(abs(a - 90) > 0.05 for a in angles)
    assert not scene.exactly_perpendicular
    c = scene.coords3  # the drawing is faithful: its coordinates reproduce the dot products
    assert c[0] @ c[1] == pytest.approx(scene.pair_dots[("Michael", "Jordan")])


def test_the_word_arithmetic_lands_where_the_narration_says():
    scene = prepared_scene(MeaningDirections)
    w = {k: np.array(v) for k, v in scene.illustrative_words.items()}
    landing = w["uncle"] + w["woman"] - w["man"]
    distances = {k: np.linalg.norm(v - landing) for k, v in w.items() if k != "uncle"}
    assert scene.nearest_word == min(distances, key=distances.get) == "aunt"


def test_summary_names_the_lectures_directions():
    assert MeaningDirections.describe(MARIE).endswith("(Marie, Curie, chemistry)")
