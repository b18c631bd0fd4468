"""Scenes 10-12 (ParameterTally, WhatTheToyShows, NearlyPerpendicular): their formatting and the numbers
their ``prepare()`` computes, checked without rendering."""

from __future__ import annotations

import math

import pytest

from llmfacts.testing import prepared_scene as prepared  # the instance after prepare() only

# (how the counts and shares are written is tested in tests/test_formatting.py)


# -- NearlyPerpendicular --------------------------------------------------------------------------------


def test_superposition_intro_numbers():
    from scenes.superposition_intro import NearlyPerpendicular

    s = prepared(NearlyPerpendicular)
    assert s.eps == pytest.approx(math.cos(math.radians(89.0)))
    assert s.fit_2 == 2 and s.fit_3 == 3
    assert s.d <= s.fit_d <= 103  # Welch: at most 103 in 100-D within 89-91 degrees (FACTS.md)
    assert 1.0 <= s.random_d < s.d  # at 1 degree random directions do far worse than a basis
    assert s.example_wide > s.example_tight
    assert s.inv_eps2 == pytest.approx(1 / math.cos(math.radians(89.0)) ** 2)
    assert s.wide_inv_eps2 < s.inv_eps2
