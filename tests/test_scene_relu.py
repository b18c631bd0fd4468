"""ReluGate: the AND gate, GELU's dip and the count of active neurons are said as the toy block computes them,
for the default lecture, Marie Curie and biases that break the gate; layout parameters are checked.

The claims are checked against values derived here from the block's weights (ReLU and GELU applied to row 0
of W↑ against the pair's name directions plus b↑[0]; GELU from its erf formula; its minimum by a grid search).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.compute.mlp_story import gelu_minimum
from llmfacts.story import SceneParameterError
from llmfacts.testing import dry_run, prepared_scene
from scenes.relu import ReluGate

CURIE = load_lecture("examples/marie_curie.py")
LECTURES = {
    "default": DEFAULT_LECTURE,
    "curie": CURIE,
    "loose_bias": DEFAULT_LECTURE.replace(toy={"up_bias": -0.5}),
    "strict_bias": DEFAULT_LECTURE.replace(toy={"up_bias": -2.5}),
    "overlap": DEFAULT_LECTURE.replace(toy={"overlap": 0.3}),
}


def gelu_by_formula(x: float) -> float:
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


def pre_activations(lecture):
    """(pair, row-0 value after the bias) for each contrast pair, from the weights."""
    mlp = lecture.toy_mlp()
    return [((first, last), float(mlp.W_up[0] @ (mlp.direction(first) + mlp.direction(last)) + mlp.b_up[0]))
            for first, last in lecture.contrast_pairs()]


def numbers_in(text: str) -> list[float]:
    return [float(m.replace("\u2212", "-")) for m in re.findall(r"[\u2212-]?\d+\.\d+", text)]


def test_gelu_minimum_is_the_lowest_point_of_the_curve():
    x, y = gelu_minimum()
    grid = np.linspace(-4.0, 4.0, 800_001)
    values = np.array([gelu_by_formula(v) for v in grid[::100]])  # coarse, independent of scipy
    assert y == pytest.approx(values.min(), abs=1e-4)
    assert y <= values.min() + 1e-12
    # the derivative Phi(x) + x phi(x) vanishes there
    phi = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    assert 0.5 * (1 + math.erf(x / math.sqrt(2))) + x * phi == pytest.approx(0.0, abs=1e-7)
    assert y == pytest.approx(-0.16997, abs=1e-5)


@pytest.mark.parametrize("key", LECTURES)
def test_and_gate_sentence_is_the_predicate_over_relu(key):
    lecture = LECTURES[key]
    line = prepared_scene(ReluGate, lecture=lecture).lines["and_gate"]
    pres = pre_activations(lecture)
    through = [pair for pair, pre in pres if max(pre, 0.0) > 1e-9]
    full = (lecture.fact.first_name, lecture.fact.last_name)
    if through == [full]:
        assert "behaves like an AND gate" in line and "zero for every other pair" in line
        assert numbers_in(line) == [pytest.approx(pres[0][1], abs=0.005)]
    else:
        assert "AND gate" not in line or "not an AND gate" in line
        if not through:
            assert "zero for every pair" in line
        for first, last in through:
            assert f"{first} {last}" in line
    expected = {"loose_bias": "not an AND gate", "strict_bias": "never opens"}.get(key, "behaves like an AND gate")
    assert expected in line


@pytest.mark.parametrize("key", LECTURES)
def test_gelu_sentence_quotes_the_curve(key):
    lecture = LECTURES[key]
    line = prepared_scene(ReluGate, lecture=lecture).lines["gelu_beside"]
    pres = pre_activations(lecture)
    said = numbers_in(line)
    assert said[0] == pytest.approx(gelu_by_formula(pres[0][1]), abs=0.005)  # the full name
    (first, last), low = min(pres, key=lambda p: p[1])
    if gelu_by_formula(low) < 0:
        assert f"dips a little below zero for {first} {last}" in line
        assert said[1] == pytest.approx(gelu_by_formula(low), abs=0.005) and said[1] < 0
        assert said[2] == pytest.approx(-0.17, abs=0.005) and said[2] <= said[1]  # "never goes below"
    else:
        assert "below zero" not in line


@pytest.mark.parametrize("key", ["default", "curie", "overlap"])
def test_active_neurons_are_counted_from_the_weights(key):
    lecture = LECTURES[key]
    mlp, fact = lecture.toy_mlp(), lecture.fact
    x = mlp.direction(fact.first_name) + mlp.direction(fact.last_name)
    active = int(np.sum(mlp.W_up @ x + mlp.b_up > 1e-12))
    hidden = lecture.toy.hidden_factor * lecture.toy.d_model
    line = prepared_scene(ReluGate, lecture=lecture).lines["neurons"]
    assert f"{active} of {hidden} {'is' if active == 1 else 'are'} active" in line
    assert f"for {fact.full_name}," in line


def test_describe_follows_the_lecture():
    assert ReluGate.describe(DEFAULT_LECTURE) == "ReLU makes neuron 0 an AND gate of Michael and Jordan; GELU beside it"
    curie = ReluGate.describe(CURIE)
    assert "Marie and Curie" in curie and "Michael" not in curie
    assert ReluGate.describe(LECTURES["loose_bias"]) == ("ReLU makes neuron 0 a gate that 3 of 4 name pairs pass; "
                                                         "GELU beside it")


@pytest.mark.parametrize(("attribute", "value"), [("decimals", -1), ("shown_neurons", 0), ("network_neurons", 2),
                                                  ("x_range", (1.0, 2.0)), ("y_range", (0.5,))])
def test_bad_layout_parameter_is_one_line_naming_it(attribute, value):
    with pytest.raises(SceneParameterError, match=rf"ReluGate\.{attribute}: ") as error:
        prepared_scene(ReluGate, **{attribute: value})
    assert "\n" not in str(error.value)


def test_graph_window_holds_every_score():
    """A bias that pushes a score past the drawn window widens the graph instead of drawing off the axes."""
    scene = prepared_scene(ReluGate, lecture=LECTURES["strict_bias"])
    pres = [pre for _, pre in pre_activations(LECTURES["strict_bias"])]
    assert scene.graph_x[0] < min(pres) and scene.graph_y[0] <= min(pres)
    assert prepared_scene(ReluGate).graph_x == ReluGate.x_range  # the default window is not touched


def test_runs_for_another_lecture_and_speaks_its_lines(manim_media_dir):
    spoken: list[str] = []

    class CurieReluGate(ReluGate):
        lecture = CURIE

        def narrate(self, text, duration=None, *, speech=None):
            spoken.append(text)
            return super().narrate(text, duration, speech=speech)

    seconds = dry_run(CurieReluGate, media_dir=manim_media_dir)
    lines = prepared_scene(ReluGate, lecture=CURIE).lines
    assert spoken == [lines[k] for k in (*ReluGate.steps, "network_row0")]
    assert 20 <= seconds <= 120
    joined = " ".join(spoken)
    assert "Marie Curie" in joined and "Michael" not in joined and "Jordan" not in joined
