"""ColdOpen: the toy's guess, its temperature and the MLP share, checked against independent derivations,
for the default lecture and for another one."""

from __future__ import annotations

import numpy as np
import pytest

from llmfacts.compute.lecture import load_lecture
from llmfacts.testing import prepared_scene
from scenes.cold_open import ColdOpen

MARIE = load_lecture("examples/marie_curie.py")


def softmax_guess(scene, temperature):
    """The toy's guess derived here: softmax over the attributes of <block output, attribute direction> / T."""
    mlp = scene.lecture.toy_mlp()
    out = mlp.run((scene.fact.first_name, scene.fact.last_name)).out
    logits = np.array([out @ mlp.direction(a) for a in mlp.attributes]) / temperature
    p = np.exp(logits - logits.max())
    return dict(zip(mlp.attributes, p / p.sum()))


@pytest.mark.parametrize("lecture", [None, MARIE], ids=["default", "marie-curie"])
def test_guess_is_the_softmax_of_the_readout_at_the_stated_temperature(lecture):
    scene = prepared_scene(ColdOpen, **({"lecture": lecture} if lecture else {}))
    expected = softmax_guess(scene, scene.temperature)
    assert scene.guess == pytest.approx(expected)
    assert scene.best == max(expected, key=expected.get) == scene.fact.attribute
    sentence = scene.guess_sentence()
    assert f"{100 * expected[scene.best]:.1f}%" in sentence
    assert "temperature 0.25" in sentence, "the percentage depends on the temperature: the narration says it"


def test_the_temperature_is_what_makes_the_guess_confident():
    confident = prepared_scene(ColdOpen)
    plain = prepared_scene(ColdOpen, temperature=1.0)
    assert plain.guess[plain.best] == pytest.approx(softmax_guess(plain, 1.0)[plain.best])
    assert plain.guess[plain.best] < 0.6 < 0.9 < confident.guess[confident.best]
    assert "temperature 1.00" in plain.guess_sentence()


def test_mlp_share_matches_a_hand_count_of_gpt3():
    scene = prepared_scene(ColdOpen)
    d, d_mlp, layers, vocab = 12288, 4 * 12288, 96, 50257
    mlp = layers * 2 * d * d_mlp
    attention = layers * 4 * d * d
    total = mlp + attention + 2 * vocab * d
    assert scene.mlp_fraction == pytest.approx(mlp / total, rel=1e-12)


def test_summary_and_prompt_follow_the_lecture():
    assert ColdOpen.describe(MARIE).startswith("The prompt 'Marie Curie worked in the field of ___'")


def test_bad_layout_parameter_is_named():
    from llmfacts.story import SceneParameterError

    with pytest.raises(SceneParameterError, match=r"ColdOpen\.n_layers_drawn"):
        prepared_scene(ColdOpen, n_layers_drawn=0)
