"""DownProjection and the arrow geometry it draws (llmfacts.compute.mlp_story): the pictures are exact (true
lengths and angles in the row of columns; the tip-to-tail chain in the plane ends at the real output) and the
sentences say what the block computes, for the default lecture, Marie Curie and nearly perpendicular names.

The checks use the block's weights and the full name's vector directly (W↓ relu(W↑ x + b↑) + b↓), not the
trace the scene reads.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.compute.mlp_story import bias_down_readout, column_arrows, output_plane, shown_columns
from llmfacts.mobjects.weight_matrix import shown_indices
from llmfacts.story import SceneParameterError
from llmfacts.testing import dry_run, prepared_scene
from scenes.down_projection import DownProjection

CURIE = load_lecture("examples/marie_curie.py")
LECTURES = {
    "default": DEFAULT_LECTURE,
    "curie": CURIE,
    "overlap": DEFAULT_LECTURE.replace(toy={"overlap": 0.3}),
    "loose_bias": DEFAULT_LECTURE.replace(toy={"up_bias": -0.5}),  # three fact neurons fire
}


def forward(lecture):
    """(neuron values, W↓ n, output) of the full name, computed here from the weights."""
    mlp, fact = lecture.toy_mlp(), lecture.fact
    x = mlp.direction(fact.first_name) + mlp.direction(fact.last_name)
    n = np.maximum(mlp.W_up @ x + mlp.b_up, 0.0)
    return n, mlp.W_down @ n, mlp.W_down @ n + mlp.b_down


def numbers_in(text: str) -> list[float]:
    return [float(m.replace("\u2212", "-")) for m in re.findall(r"[+\u2212-]?\d+\.\d+", text)]


# -- the geometry -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", LECTURES)
def test_column_arrows_have_true_lengths_and_angles(key):
    lecture = LECTURES[key]
    mlp = lecture.toy_mlp()
    a = mlp.direction(lecture.fact.attribute)
    n, _, _ = forward(lecture)
    columns = shown_columns(lecture, 6)
    assert list(columns) == shown_indices(mlp.d_hidden, 6)[0]  # the columns the matrix shows
    for arrow in column_arrows(lecture, columns):
        col = mlp.W_down[:, arrow.column]
        assert arrow.length == pytest.approx(np.linalg.norm(col), abs=1e-9)
        assert arrow.along == pytest.approx(col @ a / 1.0, abs=1e-9)
        assert arrow.across >= 0
        assert arrow.value == pytest.approx(n[arrow.column], abs=1e-12)
        assert arrow.survives == (abs(n[arrow.column]) > 1e-12)
        scaled = n[arrow.column] * col
        assert np.hypot(arrow.scaled_along, arrow.scaled_across) == pytest.approx(np.linalg.norm(scaled), abs=1e-9)


@pytest.mark.parametrize("key", LECTURES)
def test_tip_to_tail_chain_ends_at_the_output(key):
    lecture = LECTURES[key]
    mlp = lecture.toy_mlp()
    a = mlp.direction(lecture.fact.attribute)
    n, column_sum, output = forward(lecture)
    plane = output_plane(lecture)
    assert abs(plane.a @ plane.u) < 1e-12 and np.linalg.norm(plane.u) == pytest.approx(1.0)
    assert [j for j, _ in plane.terms] == [int(j) for j in np.flatnonzero(n > 1e-12)]
    chain = plane.chain()
    assert chain[len(plane.terms)] == pytest.approx(plane.column_sum, abs=1e-9)
    assert chain[-1] == pytest.approx(plane.output, abs=1e-9)
    assert plane.output[0] == pytest.approx(output @ a, abs=1e-9)  # the horizontal coordinate is the reading
    assert plane.column_sum[0] == pytest.approx(column_sum @ a, abs=1e-9)
    # the output lies in the plane: its drawn length is its true length
    assert np.hypot(*plane.output) == pytest.approx(np.linalg.norm(output), abs=1e-9)
    assert plane.output_off_plane < 1e-9


def test_bias_down_nudges_are_dot_products_with_the_names():
    for lecture, expected in ((DEFAULT_LECTURE, {"Michael": 0.0626, "Jordan": 0.0734, "basketball": 0.0}),
                              (CURIE, {"Marie": 0.0391, "Curie": -0.0874, "chemistry": 0.0})):
        mlp = lecture.toy_mlp()
        readout = bias_down_readout(lecture)
        for name, value in expected.items():
            assert readout[name] == pytest.approx(float(mlp.b_down @ mlp.direction(name)), abs=1e-12)
            assert readout[name] == pytest.approx(value, abs=5e-5)


# -- the sentences ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", LECTURES)
def test_sentences_follow_the_computed_values(key):
    lecture = LECTURES[key]
    mlp, fact = lecture.toy_mlp(), lecture.fact
    attr = fact.attribute
    a = mlp.direction(attr)
    n, column_sum, output = forward(lecture)
    lines = prepared_scene(DownProjection, lecture=lecture).lines

    assert f"the {mlp.d_hidden} neuron values back down to {mlp.d_model} numbers" in lines["show_product"]

    others = [j for j in shown_columns(lecture, DownProjection.shown_cols) if j != 0]
    cosines = [abs(mlp.W_down[:, j] @ a) / np.linalg.norm(mlp.W_down[:, j]) for j in others]
    col0_cos = mlp.W_down[:, 0] @ a / np.linalg.norm(mlp.W_down[:, 0])
    assert ("Column 0 points exactly along " + attr in lines["columns_are_directions"]) == (col0_cos > 1 - 1e-9)
    perpendicular = "every other column shown stands perpendicular" in lines["columns_are_directions"]
    assert perpendicular == (max(cosines) < 1e-9)
    if not perpendicular:
        assert numbers_in(lines["columns_are_directions"])[-1] == pytest.approx(max(cosines), abs=0.005)

    active = np.flatnonzero(n > 1e-12)
    scale, add = lines["scale_columns"], lines["add_columns"]
    if len(active) == 1:
        assert f"the active one, neuron {active[0]}, at {n[active[0]]:.2f}" in scale
        assert ("keeps its column whole" in scale) == (round(n[active[0]], 2) == 1.0)
        assert "Only column 0 survives" in add
    else:
        assert f"the {len(active)} active ones" in scale and f"{len(active)} survive" in add
    assert numbers_in(add)[-1] == pytest.approx(column_sum @ a, abs=0.005)

    bias = lines["bias_down"]
    if abs(mlp.b_down @ a) < 1e-9:
        assert f"perpendicular to {attr}, so the reading stays {output @ a:.2f}" in bias
    for name in (fact.first_name, fact.last_name):
        said = re.search(rf"{name} by ([+\u2212]\d+\.\d+)", bias).group(1).replace("\u2212", "-")
        assert float(said) == pytest.approx(float(mlp.b_down @ mlp.direction(name)), abs=0.005)


def test_default_bias_sentence_quotes_the_nudges():
    bias = prepared_scene(DownProjection).lines["bias_down"]
    assert "nudges Michael by +0.06 and Jordan by +0.07" in bias
    assert "hundredths" not in bias
    assert "Curie by \u22120.09" in prepared_scene(DownProjection, lecture=CURIE).lines["bias_down"]


def test_describe_follows_the_lecture():
    assert "column 0 alone survives" in DownProjection.describe(DEFAULT_LECTURE)
    assert DownProjection.describe(DEFAULT_LECTURE).endswith("the sum reads 1.00 along basketball; then B↓")
    curie = DownProjection.describe(CURIE)
    assert "chemistry" in curie and "basketball" not in curie
    assert "3 columns survive" in DownProjection.describe(LECTURES["loose_bias"])


@pytest.mark.parametrize(("attribute", "value"), [("decimals", -1), ("shown_cols", 0), ("lineup_unit", 5.0),
                                                  ("plane_width", -1.0)])
def test_bad_layout_parameter_is_one_line_naming_it(attribute, value):
    with pytest.raises(SceneParameterError, match=rf"DownProjection\.{attribute}: ") as error:
        prepared_scene(DownProjection, **{attribute: value})
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("key", ["curie", "loose_bias"])
def test_runs_for_another_lecture_and_speaks_its_lines(key, manim_media_dir):
    spoken: list[str] = []
    lecture = LECTURES[key]

    class Other(DownProjection):
        def narrate(self, text, duration=None, *, speech=None):
            spoken.append(text)
            return super().narrate(text, duration, speech=speech)

    Other.lecture = lecture
    seconds = dry_run(Other, media_dir=manim_media_dir)
    lines = prepared_scene(DownProjection, lecture=lecture).lines
    assert spoken == [lines[step] for step in DownProjection.steps]
    assert 15 <= seconds <= 120
    if key == "curie":
        joined = " ".join(spoken)
        assert "chemistry" in joined and "basketball" not in joined and "Michael" not in joined
