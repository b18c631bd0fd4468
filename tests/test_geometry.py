"""llmfacts.compute.geometry: angles and faithful span coordinates, against independent derivations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llmfacts.compute.geometry import angle_degrees, nearest_point, span_coordinates


def test_angle_degrees_of_known_pairs():
    assert angle_degrees(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == pytest.approx(90.0)
    assert angle_degrees(np.array([1.0, 0.0]), np.array([1.0, 1.0])) == pytest.approx(45.0)
    assert angle_degrees(np.array([1.0, 0.0, 0.0]), np.array([-3.0, 0.0, 0.0])) == pytest.approx(180.0)
    # law of cosines, from the lengths of the triangle's sides only
    u, v = np.array([2.0, 1.0, -1.0]), np.array([0.5, -2.0, 3.0])
    a, b, c = np.linalg.norm(u), np.linalg.norm(v), np.linalg.norm(u - v)
    assert angle_degrees(u, v) == pytest.approx(math.degrees(math.acos((a * a + b * b - c * c) / (2 * a * b))))
    with pytest.raises(ValueError):
        angle_degrees(np.zeros(3), v)


def test_span_coordinates_keep_lengths_and_angles():
    rng = np.random.default_rng(3)
    v = rng.standard_normal((3, 12))
    c = span_coordinates(v)
    assert c.shape == (3, 3)
    np.testing.assert_allclose(c @ c.T, v @ v.T, atol=1e-12)  # every dot product kept
    assert c[0, 0] > 0 and np.allclose(c[0, 1:], 0)  # the first vector lies along the first axis
    assert c[1, 1] >= 0 and abs(c[1, 2]) < 1e-12


def test_nearest_point():
    points = {"a": np.array([0.0, 0.0]), "b": np.array([3.0, 4.0])}
    assert nearest_point(points, np.array([2.9, 3.0])) == "b"
    with pytest.raises(ValueError):
        nearest_point({}, np.zeros(2))
