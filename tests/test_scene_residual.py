"""ResidualAdd: the arrows are exact shadows of the toy block's vectors; the sentences follow the computed
values (b↓'s nudge of the names, the attribute's reading) for two lectures."""

from __future__ import annotations

import numpy as np
import pytest

from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.formatting import format_int
from llmfacts.testing import prepared_scene
from scenes.residual import ResidualAdd, residual_plane

MARIE = load_lecture("examples/marie_curie.py")


@pytest.mark.parametrize("lecture", [DEFAULT_LECTURE, MARIE], ids=["default", "marie-curie"])
def test_the_arrows_add_tip_to_tail(lecture):
    plane = residual_plane(lecture)
    np.testing.assert_allclose(plane["E"] + plane["MLP"], plane["out"], atol=1e-12)
    # E = first + last name: |E| = sqrt(2) along the names' axis, nothing along the attribute
    assert plane["E"] == pytest.approx([np.sqrt(2.0), 0.0], abs=1e-9)
    # the block writes the attribute with reading 1 (its neuron fires at 1, its column is the direction)
    assert plane["MLP"][1] == pytest.approx(1.0)


@pytest.mark.parametrize("lecture", [DEFAULT_LECTURE, MARIE], ids=["default", "marie-curie"])
def test_the_nudge_sentence_says_what_b_down_does(lecture):
    scene = prepared_scene(ResidualAdd, lecture=lecture)
    mlp, trace, f = lecture.toy_mlp(), lecture.trace(), lecture.fact
    sentence = scene.nudge_sentence()
    for name in (f.first_name, f.last_name):
        d = mlp.direction(name)
        bias_part, weight_part = float(mlp.b_down @ d), float((mlp.W_down @ trace.post) @ d)
        assert abs(weight_part) < 1e-9 and abs(bias_part) > 1e-3  # the toy's design: only b↓ touches the names
        shown = f"{'+' if bias_part > 0 else '−'}{abs(bias_part):.3f}"
        assert f"{name} by {shown}" in sentence
    assert sentence.startswith("The small bias B↓")


def test_names_that_do_not_move_are_said_to_stay():
    import dataclasses

    scene = prepared_scene(ResidualAdd)
    assert abs(scene.trace.gained[scene.fact.first_name]) > 0.01  # with b↓ the names do move...
    scene.trace = dataclasses.replace(scene.trace, readout_out=dict(scene.trace.readout_in))
    assert scene.nudge_sentence() == "The names come out exactly as they went in."  # ...and this branch is real


def test_scale_and_summary_follow_the_transformer():
    scene = prepared_scene(ResidualAdd)
    assert scene.n_tokens == 6 and scene.hp.d_mlp == 4 * scene.hp.d_model
    assert format_int(scene.hp.d_mlp) in ResidualAdd.describe(DEFAULT_LECTURE)
    assert "chemistry" in ResidualAdd.describe(MARIE)
