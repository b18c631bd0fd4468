"""InsideTheMlp: the numbers its ``prepare()`` computes, checked without rendering."""

from __future__ import annotations

import numpy as np
import pytest

from llmfacts.testing import prepared_scene as prepared  # the instance after prepare() only
from scenes.inside_mlp import InsideTheMlp


def test_inside_mlp_numbers():
    scene = prepared(InsideTheMlp)
    assert scene.toy.d_hidden == 48
    assert scene.n_active == 1
    assert scene.trace.readout_in["basketball"] == pytest.approx(0.0, abs=1e-12)
    assert scene.trace.readout_out["basketball"] == pytest.approx(1.0)
    np.testing.assert_allclose(scene.trace.out, scene.trace.x + scene.trace.down)
    # every token's output is the same block applied to its own vector
    for x, out in zip(scene.inputs, scene.outputs):
        np.testing.assert_allclose(out, scene.toy.run(x).out)
    assert scene.hp.d_mlp == 4 * scene.hp.d_model
