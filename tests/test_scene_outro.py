"""FeaturesOutro and its computations (llmfacts.compute.features): the random feature patterns, the sparse
code and its rebuild, the closing card's credit; every claim of the narration evaluated as a predicate,
for the default lecture and for another one."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from llmfacts import colors
from llmfacts.compute.features import (
    feature_pair,
    largest_share,
    neuron_pattern,
    neurons_for_share,
    sparse_code_example,
    unit_vectors,
)
from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.formatting import format_degrees, format_int, format_percent_significant
from llmfacts.layout_check import word_count
from llmfacts.story import SceneParameterError
from llmfacts.testing import prepared_scene
from scenes.outro import BARELY, FeaturesOutro, credit_lines

MARIE = load_lecture("examples/marie_curie.py")
LECTURES = pytest.mark.parametrize("lecture", [None, MARIE], ids=["default", "marie-curie"])


def scene(lecture=None, **overrides):
    return prepared_scene(FeaturesOutro, **({"lecture": lecture} if lecture else {}), **overrides)


# -- the computations -----------------------------------------------------------------------------------------


def test_neuron_pattern_is_scaled_and_clipped():
    v = np.array([0.0, 1.0, -1.0, 4.0])
    p = neuron_pattern(v, spread=1.0)
    assert p.max() == 1.0 and p.min() >= -1.0
    assert np.all(np.sign(p) == np.sign(v))


def test_largest_share_and_neurons_for_share():
    assert largest_share(np.array([3.0, 4.0])) == pytest.approx(16 / 25)
    assert largest_share(np.zeros(3)) == 0.0
    assert neurons_for_share(np.eye(7)[3], 0.5) == 1
    assert neurons_for_share(np.ones(10), 0.5) == 5 and neurons_for_share(np.ones(10), 0.51) == 6
    v = unit_vectors(1, 300, 5)[0]
    # by brute force: the first k whose k largest squares reach half
    squares = sorted(v**2, reverse=True)
    k = next(k for k in range(1, 301) if sum(squares[:k]) >= 0.5 * sum(squares))
    assert neurons_for_share(v, 0.5) == k


def test_two_random_patterns_in_gpt3s_neurons():
    pair = feature_pair(DEFAULT_LECTURE, 7)
    a, b = pair.directions
    assert pair.n_neurons == 49_152
    # the angle by another formula: 2 atan2(|a - b|, |a + b|) for unit vectors
    angle = math.degrees(2 * math.atan2(np.linalg.norm(a - b), np.linalg.norm(a + b)))
    assert pair.angle_deg == pytest.approx(angle, abs=1e-9)
    # concentration: for random directions |cos| is about 1/sqrt(n); far below BARELY here
    assert abs(pair.cos) < 4 / math.sqrt(pair.n_neurons) < BARELY
    assert pair.largest_share < 0.001
    assert 0.05 * pair.n_neurons < pair.half_neurons < 0.5 * pair.n_neurons


def test_sparse_search_finds_the_directions_that_made_the_pattern():
    sae = sparse_code_example(6, 14, (3, 9), seed=0)
    assert sae.active == (3, 9) and sae.code[3] > sae.code[9] > 0
    # brute force over every pair of dictionary directions: the best least-squares fit is the true pair
    best, best_err = None, np.inf
    for pair in itertools.combinations(range(14), 2):
        basis = sae.dictionary[list(pair)]
        coef, *_ = np.linalg.lstsq(basis.T, sae.neurons, rcond=None)
        err = np.linalg.norm(sae.neurons - coef @ basis)
        if err < best_err:
            best, best_err = pair, err
    assert set(best) == set(sae.found) == {3, 9}
    assert sae.recovered and sae.error < 1e-9
    np.testing.assert_allclose(sae.found_code, sae.code, atol=1e-9)
    with pytest.raises(ValueError):
        sparse_code_example(6, 14, (20,), seed=0)


def test_a_search_that_misses_is_reported_as_such():
    miss = sparse_code_example(6, 14, (3, 9), seed=1)
    assert not miss.recovered and miss.error > 0.01
    s = scene(sae_seed=1)
    assert "finds exactly" not in s.said["sae"]
    assert f"to within {format_percent_significant(miss.error, 2)}" in s.said["sae"]


# -- the scene's claims -----------------------------------------------------------------------------------------


@LECTURES
def test_narration_claims_are_the_computed_ones(lecture):
    s = scene(lecture)
    lec = lecture or DEFAULT_LECTURE
    assert np.flatnonzero(lec.trace().active).tolist() == [0]
    assert "neuron 0 lights up for the full name, and no other neuron does" in s.said["one"]
    d_mlp = lec.transformer.d_mlp
    a = unit_vectors(2, d_mlp, s.example_seed)[0]
    assert f"{format_int(d_mlp)} neurons of {lec.transformer.name}" in s.said["spread"]
    assert f"it takes {format_int(neurons_for_share(a, 0.5))} of them to carry half" in s.said["spread"]
    assert f"the strongest carries {format_percent_significant(float(np.max(a**2)), 2)}" in s.said["spread"]
    assert f"sit {format_degrees(s.pair.angle_deg, 1)} apart" in s.said["second"]
    assert ("barely picks up" in s.said["second"]) == (abs(s.pair.cos) < BARELY)
    assert "finds exactly those 2 and rebuilds the pattern" in s.said["sae"]
    assert f"say {lec.fact.attribute}" in s.said["second"]


def test_another_lecture_never_says_the_default_fact():
    s = scene(MARIE)
    text = " ".join(s.said.values()) + FeaturesOutro.describe(MARIE)
    for word in ("Michael", "Jordan", "basketball"):
        assert word not in text
    assert "chemistry" in text and "Marie Curie" in FeaturesOutro.describe(MARIE)


def test_each_concept_keeps_its_colour():
    s = scene()
    first, last = s._full_name()
    assert first.color.to_hex().upper() == colors.FIRST_NAME.upper()
    assert last.color.to_hex().upper() == colors.LAST_NAME.upper()
    assert colors.ATTRIBUTE.upper() not in (first.color.to_hex().upper(), last.color.to_hex().upper())


def test_the_example_seed_is_not_read_as_the_lectures_seed():
    assert "seed" not in vars(FeaturesOutro)
    s = scene(example_seed=3)
    assert s.lecture == DEFAULT_LECTURE  # the toy block is the default one
    assert s.pair.cos == pytest.approx(float(unit_vectors(2, 49_152, 3)[0] @ unit_vectors(2, 49_152, 3)[1]))


@pytest.mark.parametrize("voice", ["piper", "espeak"])
def test_voice_credit_fits_the_closing_card(voice):
    from llmfacts.voice import voice_credit

    credit = voice_credit(voice)
    lines = credit_lines(credit)
    assert " ".join(lines).split() == credit.split()  # nothing dropped
    import llmfacts.style as style

    assert all(word_count(style.text(line)) <= 8 for line in lines)
    card = ["Thanks for watching", "rows read", "columns write", "features spread",
            "look up: superposition · sparse autoencoder"]
    assert sum(word_count(style.text(t)) for t in card + lines) <= 25
    assert credit_lines("") == []


@pytest.mark.parametrize("overrides, attribute", [({"sae_layers": (6, 14, 5)}, "sae_layers"),
                                                  ({"sae_active": (20,)}, "sae_active"),
                                                  ({"shown_neurons": 0}, "shown_neurons")])
def test_bad_parameters_are_named(overrides, attribute):
    with pytest.raises(SceneParameterError, match=rf"FeaturesOutro\.{attribute}"):
        scene(**overrides)
