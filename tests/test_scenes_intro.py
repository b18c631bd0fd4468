"""Scenes 1-4 (ColdOpen, TransformerRefresher, MeaningDirections, InsideTheMlp): their helpers and the
numbers their ``prepare()`` computes, checked without rendering."""

from __future__ import annotations

import numpy as np
import pytest

from llmfacts.formatting import format_fixed
from llmfacts.testing import prepared_scene as prepared  # the instance after prepare() only
from scenes.directions import MeaningDirections, angle_degrees, span_coordinates
from scenes.inside_mlp import InsideTheMlp



# (how numbers are written is tested in tests/test_formatting.py)


def test_angle_degrees():
    assert angle_degrees(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == pytest.approx(90.0)
    assert angle_degrees(np.array([1.0, 0.0]), np.array([1.0, 1.0])) == pytest.approx(45.0)


def test_span_coordinates_keep_lengths_and_angles():
    rng = np.random.default_rng(3)
    v = rng.standard_normal((3, 12))
    c = span_coordinates(v)
    assert c.shape == (3, 3)
    np.testing.assert_allclose(c @ c.T, v @ v.T, atol=1e-12)
    # the first vector lies along the first axis, pointing the positive way
    assert c[0, 0] > 0 and np.allclose(c[0, 1:], 0)
    assert c[1, 1] >= 0


# -- numbers each scene computes ----------------------------------------------------------------------------


def test_directions_scene_numbers():
    scene = prepared(MeaningDirections)
    # exactly perpendicular unit directions by default
    for pair, dot in scene.pair_dots.items():
        assert abs(dot) < 1e-12, pair
        assert scene.pair_angles[pair] == pytest.approx(90.0)
    for name in scene.names3:
        assert scene.norms[name] == pytest.approx(1.0)
    # E = M + J reads 1, 1, 0
    shown = [format_fixed(scene.full_readout[n]) for n in scene.names3]
    assert shown == ["1.00", "1.00", "0.00"]
    # the illustrative arithmetic lands nearest to "aunt"
    assert scene.nearest_word == "aunt"


def test_directions_scene_with_nearly_perpendicular_directions():
    scene = prepared(MeaningDirections, overlap=0.1)
    angles = list(scene.pair_angles.values())
    assert all(80 < a < 100 for a in angles)
    assert any(abs(a - 90) > 0.05 for a in angles)
    # the 3-D drawing is faithful: its coordinates reproduce the dot products
    c = scene.coords3
    assert c[0] @ c[1] == pytest.approx(scene.pair_dots[("Michael", "Jordan")])


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
