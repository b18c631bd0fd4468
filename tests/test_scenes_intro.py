"""InsideTheMlp: the vectors it shows are the block's real forward pass, checked against an independent one.

The reference pass is written here with torch from the block's raw weights (Linear -> ReLU -> Linear, then the
residual add), not with the toy's own ``run``; the scene's numbers must agree with it for every token, for the
default lecture and for Marie Curie.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.testing import prepared_scene as prepared  # the instance after prepare() only
from scenes.inside_mlp import InsideTheMlp

LECTURES = {"default": DEFAULT_LECTURE, "curie": load_lecture("examples/marie_curie.py")}


def forward(toy, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(neuron values, output) of the block for ``x``: torch's own Linear layers loaded with the weights."""
    up = torch.nn.Linear(toy.W_up.shape[1], toy.W_up.shape[0], dtype=torch.float64)
    down = torch.nn.Linear(toy.W_down.shape[1], toy.W_down.shape[0], dtype=torch.float64)
    with torch.no_grad():
        up.weight.copy_(torch.tensor(toy.W_up)), up.bias.copy_(torch.tensor(toy.b_up))
        down.weight.copy_(torch.tensor(toy.W_down)), down.bias.copy_(torch.tensor(toy.b_down))
        h = torch.relu(up(torch.tensor(x)))
        return h.numpy(), (torch.tensor(x) + down(h)).numpy()


@pytest.mark.parametrize("key", LECTURES)
def test_every_token_goes_through_the_same_block(key):
    lecture = LECTURES[key]
    scene = prepared(InsideTheMlp, lecture=lecture)
    assert len(scene.inputs) == len(scene.words) == len(lecture.prompt_tokens())
    for x, shown in zip(scene.inputs, scene.outputs):
        np.testing.assert_allclose(shown, forward(scene.toy, x)[1], atol=1e-12)


@pytest.mark.parametrize("key", LECTURES)
def test_the_name_token_lights_the_fact_neuron_and_gains_the_attribute(key):
    lecture = LECTURES[key]
    scene = prepared(InsideTheMlp, lecture=lecture)
    fact = lecture.fact
    names = scene.toy.direction(fact.first_name) + scene.toy.direction(fact.last_name)
    neurons, out = forward(scene.toy, names)
    assert scene.n_active == int((neurons > 1e-9).sum()) >= 1  # float dust below 1e-9 is zero
    attribute = scene.toy.direction(fact.attribute)
    # the gain the scene shows for the last-name token is the change of the attribute's coordinate
    assert scene.gains[1] == pytest.approx(float(attribute @ (out - names)), abs=1e-9)
    assert scene.gains[1] > 0.5
    # tokens that hold no name gain (almost) nothing along the attribute
    assert max(abs(g) for g in scene.gains[2:]) < 0.5 * scene.gains[1]
