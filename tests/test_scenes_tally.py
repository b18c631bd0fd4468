"""Scenes 10-12 (ParameterTally, WhatTheToyShows, NearlyPerpendicular): their formatting and the numbers
their ``prepare()`` computes, checked without rendering."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llmfacts.testing import prepared_scene as prepared  # the instance after prepare() only
from scenes.toy_caveats import WhatTheToyShows

# (how the counts and shares are written is tested in tests/test_formatting.py)


# -- WhatTheToyShows ------------------------------------------------------------------------------------


def test_toy_neuron_zero_reads_exactly_the_two_names():
    s = prepared(WhatTheToyShows)
    f = s.fact
    assert s.row0_readout[f.first_name] == pytest.approx(1.0)
    assert s.row0_readout[f.last_name] == pytest.approx(1.0)
    others = [v for k, v in s.row0_readout.items() if k not in (f.first_name, f.last_name)]
    assert np.allclose(others, 0.0, atol=1e-12)
    # the full name lights neuron 0 only, and the columns add up to the attribute direction
    assert s.trace.post[0] == pytest.approx(1.0)
    assert int(np.sum(s.trace.active)) == 1
    assert s.written_readout[f.attribute] == pytest.approx(1.0)


def test_shared_neurons_example_is_consistent():
    s = prepared(WhatTheToyShows)
    assert s.spread_readings.shape == (s.spread_features,)
    assert s.spread_features > s.spread_neurons
    assert 0 <= s.spread_picked <= s.spread_features
    assert s.spread_picked == int(np.sum(np.abs(s.spread_readings) > s.clear_threshold))
    assert np.all(np.abs(s.spread_readings) <= 1.0 + 1e-12)


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
