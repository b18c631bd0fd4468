"""WhatTheToyShows and the computations behind it (llmfacts.compute.features): the hand-built block against
a trained one, and a layer with more features than neurons; every claim of the narration evaluated as a
predicate, for the default lecture and for another one."""

from __future__ import annotations

import numpy as np
import pytest

from llmfacts.compute.features import answer_contributions, learned_block, spread_example, unit_vectors
from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.formatting import format_percent
from llmfacts.story import SceneParameterError
from llmfacts.testing import prepared_scene
from scenes.toy_caveats import ALMOST_ALL, CONTRIBUTION_SHARE, WhatTheToyShows

MARIE = load_lecture("examples/marie_curie.py")
LECTURES = pytest.mark.parametrize("lecture", [None, MARIE], ids=["default", "marie-curie"])


def scene(lecture=None, **overrides):
    return prepared_scene(WhatTheToyShows, **({"lecture": lecture} if lecture else {}), **overrides)


# -- the computations -----------------------------------------------------------------------------------------


@LECTURES
def test_contributions_add_up_to_what_the_block_writes_along_the_attribute(lecture):
    lec = lecture or DEFAULT_LECTURE
    mlp, trace, attribute = lec.toy_mlp(), lec.trace(), lec.toy_mlp().direction(lec.fact.attribute)
    c = answer_contributions(mlp.W_up, mlp.b_up, mlp.W_down, trace.x, attribute)
    # independently: the block's own pass (without b_down), read along the attribute
    assert c.sum() == pytest.approx(float((trace.down - mlp.b_down) @ attribute), abs=1e-12)
    # the hand-built block: exactly one neuron adds anything, neuron 0, and it adds all of the reading
    adding = np.flatnonzero(np.abs(c) > 1e-9)
    assert adding.tolist() == [0]
    assert c[0] == pytest.approx(1.0)


@LECTURES
def test_the_trained_block_stores_every_fact_from_a_random_start(lecture):
    lec = lecture or DEFAULT_LECTURE
    b = lec.cached(learned_block, 3000, 0)
    mlp = lec.toy_mlp()
    attributes = {f.attribute: mlp.direction(f.attribute) for f in mlp.facts}
    for f in mlp.facts:  # each stored pair reads its own attribute, and not the others
        out = b.outputs((mlp.direction(f.first_name) + mlp.direction(f.last_name))[None, :])[0]
        for a, d in attributes.items():
            assert out @ d == pytest.approx(1.0 if a == f.attribute else 0.0, abs=0.05)
    for name in mlp.names:  # a name alone writes (almost) nothing
        assert np.linalg.norm(b.outputs(mlp.direction(name)[None, :])[0]) < 0.05
    # the per-neuron contributions add up to the batch output's reading
    x = mlp.direction(lec.fact.first_name) + mlp.direction(lec.fact.last_name)
    assert b.contributions.sum() == pytest.approx(b.outputs(x[None, :])[0] @ attributes[lec.fact.attribute])
    # training did the storing: the random start stored nothing
    rng = np.random.default_rng(0)
    d, h = mlp.d_model, mlp.d_hidden
    w_up, w_down = rng.standard_normal((h, d)) / np.sqrt(d), rng.standard_normal((d, h)) / np.sqrt(h)
    start = np.maximum(b.inputs @ w_up.T, 0) @ w_down.T
    assert np.mean(np.sum((start - b.targets) ** 2, axis=1)) > 100 * b.loss


def test_training_that_cannot_store_the_facts_says_so():
    with pytest.raises(ValueError, match="did not store the facts"):
        learned_block(DEFAULT_LECTURE, steps=1)


def test_spread_example_counts_by_hand():
    ex = spread_example(24, 8, seed=3, threshold=0.05)
    d = unit_vectors(24, 8, 3)
    assert np.allclose(np.linalg.norm(d, axis=1), 1.0)
    reaching = sum(1 for f in range(24) if all(abs(d[f, j]) > 0.05 for j in range(8)))
    per_neuron = [sum(1 for f in range(24) if abs(d[f, j]) > 0.05) for j in range(8)]
    per_feature = [sum(1 for j in range(8) if abs(d[f, j]) > 0.05) for f in range(24)]
    assert ex.reaching_every_neuron == reaching
    assert ex.fewest_per_neuron == min(per_neuron)
    assert ex.fewest_per_feature == min(per_feature)
    with pytest.raises(ValueError, match="more features than neurons"):
        spread_example(8, 8)


# -- the scene's claims -----------------------------------------------------------------------------------------


@LECTURES
def test_narration_of_the_hand_built_and_the_trained_block(lecture):
    s = scene(lecture)
    f, b = s.fact, s.trained
    assert "neuron 0 alone adds all of it" in s.said["hand"]
    said = s.said["trained"]
    assert f"with {b.answer:.2f}" in said
    assert abs(b.answer - 1.0) < 0.05 and "just as well" in said  # stores the fact as well as the hand-built one
    many = int(np.sum(b.contributions >= CONTRIBUTION_SHARE * b.answer))
    assert many >= 2 and f"But {many} neurons each add at least" in said
    top = float(np.max(b.contributions)) / b.answer
    assert top < 0.5 and f"even the largest adds only {format_percent(top, 0)}" in said
    assert f.attribute in said


@LECTURES
def test_narration_of_the_shared_neurons_is_about_this_example(lecture):
    s = scene(lecture)
    ex, said = s.spread, s.said["counts"]
    assert ex.n_features > ex.n_neurons
    d = ex.directions
    reached = np.abs(d) > s.clear_threshold
    assert f"{int(np.all(reached, axis=1).sum())} of the {ex.n_features} features reach every neuron" in said
    assert f"each feature reaches at least {int(reached.sum(axis=1).min())} of the {ex.n_neurons}" in said
    fewest = int(reached.sum(axis=0).min())
    assert f"each neuron picks up at least {fewest} of the {ex.n_features}" in said
    assert said.startswith("In this random example")
    assert ("almost all of them" in said) == (fewest >= ALMOST_ALL * ex.n_features)
    assert fewest >= ALMOST_ALL * ex.n_features  # the default example does say it


def test_a_stricter_threshold_drops_almost_all():
    s = scene(clear_threshold=0.3)
    assert s.spread.fewest_per_neuron < ALMOST_ALL * s.spread.n_features
    assert "almost all" not in s.said["counts"]


def test_rows_and_columns_narration_follow_the_trace():
    s = scene()
    tr = s.trace
    assert f"row zero gives {tr.up[0]:.1f}" in s.said["rows"]
    assert np.flatnonzero(tr.active).tolist() == [0] and "Only neuron 0 is active" in s.said["columns"]
    assert f"reads {s.written_readout[s.fact.attribute]:.2f} along {s.fact.attribute}" in s.said["columns"]


def test_another_lecture_never_says_the_default_fact():
    s = scene(MARIE)
    text = " ".join(s.said.values())
    for word in ("Michael", "Jordan", "basketball"):
        assert word not in text
    assert "chemistry" in text and "Marie Curie" in text
    assert "Marie Curie" in WhatTheToyShows.describe(MARIE)


@pytest.mark.parametrize("overrides, attribute", [({"spread_features": 8}, "spread_features"),
                                                  ({"shown": 0}, "shown"),
                                                  ({"clear_threshold": 0.0}, "clear_threshold")])
def test_bad_parameters_are_named(overrides, attribute):
    with pytest.raises(SceneParameterError, match=rf"WhatTheToyShows\.{attribute}"):
        scene(**overrides)
