"""Structure and behaviour of the reusable mobjects (llmfacts.mobjects); nothing is rendered to video.

Animations are checked by playing them in a dry-run scene, which runs every animation to its end state.
"""

from __future__ import annotations

import numpy as np
import pytest
from manim import LEFT, RIGHT, Scene, Text, config, tempconfig

from llmfacts import colors
from llmfacts.mobjects import (
    ActivationGraph,
    AngleHistogram,
    BarTally,
    CountingNumber,
    EmbeddingVector,
    HiddenEntryError,
    InconsistentNumbersError,
    LabeledVector,
    MlpBlockDiagram,
    NeuralNetworkDiagram,
    NeuronLayer,
    ParallelLanes,
    ProbabilityBars,
    RowDotProduct,
    ScaledColumnSum,
    SegmentedBar,
    TokenRow,
    TransformerFlow,
    WeightMatrix,
    check_running_sum,
    fit_width,
    grid_table,
    keep_inside,
    rebin_counts,
    shown_indices,
)

FRAME_WIDTH, FRAME_HEIGHT = 14.2, 8.0


@pytest.fixture(autouse=True, scope="module")
def _own_media_dir(manim_media_dir):
    """TeX files go to the session's media folder, never to the working directory."""
    with tempconfig({"media_dir": str(manim_media_dir)}):
        yield


def play_dry(*animations_or_builders) -> Scene:
    """Play animations in a scene that renders nothing (dry run): every animation reaches its end state.

    Each argument is a callable ``scene -> list of animations to play in one ``play`` call``.
    """

    class _Dry(Scene):
        def construct(self):
            for build in animations_or_builders:
                anims = build(self)
                if anims:
                    self.play(*anims)

    with tempconfig({"dry_run": True, "disable_caching": True, "write_to_movie": False, "frame_rate": 4}):
        scene = _Dry()
        scene.render()
    return scene


# -- weight matrices and vectors --------------------------------------------------------------------------------
def test_shown_indices():
    assert shown_indices(5, 6) == ([0, 1, 2, 3, 4], False)
    assert shown_indices(6, 6) == ([0, 1, 2, 3, 4, 5], False)
    assert shown_indices(10, 6) == ([0, 1, 2, 3, 9], True)
    with pytest.raises(ValueError):
        shown_indices(10, 2)


def test_small_matrix_has_no_ellipsis_and_shows_real_values():
    values = np.array([[1.26, -0.5, 0.0, 3.0], [0.2, 3.0, -2.0, -0.04], [0.7, 0.1, 0.0, 1.0]])
    m = WeightMatrix(values)
    assert m.shown_rows == [0, 1, 2] and m.shown_cols == [0, 1, 2, 3]
    assert len(m.get_ellipses()) == 0 and not m.is_truncated
    for i in range(3):
        for j in range(4):
            assert m.get_entry(i, j).get_value() == pytest.approx(values[i, j])
    assert len(m.get_brackets()) == 2
    # entries of a row share a baseline; entries of a column are right-aligned
    row = m.get_row_entries(1)
    assert np.ptp([e.get_bottom()[1] for e in row]) < 0.05
    col = m.get_column_entries(0)
    assert np.ptp([e.get_right()[0] for e in col]) < 1e-6


def test_truncated_matrix_ellipses_and_indices():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(10, 12))
    m = WeightMatrix(values, max_rows=6, max_cols=6)
    assert m.shown_rows == [0, 1, 2, 3, 9]
    assert m.shown_cols == [0, 1, 2, 3, 11]
    # one ⋮-row (5 ⋮ + 1 ⋱) and one ⋯ per shown row
    assert len(m.get_ellipses()) == 6 + 5
    assert len(m.get_entries()) == 25
    assert m.get_entry(9, 11).get_value() == pytest.approx(values[9, 11])
    assert m.get_entry(-1, -1) is m.get_entry(9, 11)
    with pytest.raises(HiddenEntryError):
        m.get_entry(5, 0)
    with pytest.raises(HiddenEntryError):
        m.get_entry(0, 7)
    with pytest.raises(HiddenEntryError):
        m.get_row(4)
    with pytest.raises(IndexError):
        m.get_entry(10, 0)
    assert m.is_shown(9, 0) and not m.is_shown(4, 0)
    # get_row holds the numbers of that row plus its ⋯
    assert len(m.get_row(2)) == 6
    assert len(m.get_column(11)) == 6
    # the hidden row is only truncated along rows when max_rows allows everything
    wide = WeightMatrix(values[:3], max_rows=6, max_cols=6)
    assert wide.shown_rows == [0, 1, 2] and wide.rows_truncated is False and wide.cols_truncated is True
    assert len(wide.get_ellipses()) == 3


def test_colours_follow_sign_and_size():
    values = np.array([[2.0, -2.0, 0.5, -0.5]])
    m = WeightMatrix(values, min_color_strength=0.0)
    assert m.get_entry(0, 0).get_color().to_hex().upper() == colors.weight_color(2.0, 2.0).upper()
    assert m.get_entry(0, 1).get_color().to_hex().upper() == colors.weight_color(-2.0, 2.0).upper()
    pos = m.get_entry(0, 0).get_color().to_rgb()
    neg = m.get_entry(0, 1).get_color().to_rgb()
    assert pos[2] > pos[0] and neg[0] > neg[2]  # blue vs red
    weak = m.get_entry(0, 2).get_color().to_rgb()
    assert sum(weak) < sum(pos)  # smaller |value| is dimmer
    plain = WeightMatrix(values, color_by_sign=False, color=colors.DATA)
    assert plain.get_entry(0, 1).get_color().to_hex().upper() == colors.DATA.upper()
    # an explicit scale is respected
    scaled = WeightMatrix(values, scale=4.0, min_color_strength=0.0)
    assert scaled.get_entry(0, 0).get_color().to_hex().upper() == colors.weight_color(2.0, 4.0).upper()


def test_row_and_column_rectangles_surround_them():
    m = WeightMatrix(np.arange(12.0).reshape(3, 4) - 5)
    rect = m.row_rectangle(1)
    row = m.get_row(1)
    assert rect.get_left()[0] < row.get_left()[0] and rect.get_right()[0] > row.get_right()[0]
    assert rect.get_top()[1] > row.get_top()[1] and rect.get_bottom()[1] < row.get_bottom()[1]
    crect = m.column_rectangle(3)
    assert crect.get_left()[0] < m.get_entry(0, 3).get_left()[0]


def test_embedding_vector_truncation_label_and_colour():
    values = np.linspace(-1, 1, 12)
    v = EmbeddingVector(values, label="Michael Jordan")
    assert v.shown_rows == [0, 1, 2, 3, 4, 5, 11]
    assert len(v.get_ellipses()) == 1
    assert v.get_entry(11).get_value() == pytest.approx(1.0)
    with pytest.raises(HiddenEntryError):
        v.get_entry(7)
    assert v.get_label() is not None and v.get_label().get_top()[1] < v.brackets.get_bottom()[1]
    assert v.get_entry(0).get_color().to_hex().upper() == colors.DATA.upper()
    short = EmbeddingVector([1.0, -1.0, 0.5])
    assert len(short.get_ellipses()) == 0 and short.get_label() is None
    signed = LabeledVector([1.0, -1.0], "$E$", color_by_sign=True)
    assert signed.get_entry(1).get_color().to_rgb()[0] > signed.get_entry(1).get_color().to_rgb()[2]
    with pytest.raises(ValueError):
        EmbeddingVector(np.zeros((3, 3)))


def test_default_sizes_fit_side_by_side_in_the_frame():
    rng = np.random.default_rng(1)
    m = WeightMatrix(rng.normal(size=(20, 20)) * 3)
    v = EmbeddingVector(rng.normal(size=20) * 3, label="$E$")
    group_width = m.width + 0.5 + v.width
    assert group_width < FRAME_WIDTH * 0.6  # room left for labels and a result
    assert max(m.height, v.height) < FRAME_HEIGHT * 0.75


def test_set_values_and_change_values_animation():
    m = WeightMatrix(np.array([[1.0, -1.0], [0.5, 0.0]]))
    m.set_values([[-1.0, 1.0], [0.0, 2.0]])
    assert m.get_entry(0, 0).get_value() == -1.0
    assert m.get_entry(0, 0).get_color().to_rgb()[0] > m.get_entry(0, 0).get_color().to_rgb()[2]
    v = EmbeddingVector([1.0, 2.0, 3.0])
    play_dry(lambda s: (s.add(v), v.change_values_animations([0.0, -2.0, 0.0]))[1])
    assert [v.get_entry(i).get_value() for i in range(3)] == [0.0, -2.0, 0.0]
    with pytest.raises(ValueError):
        v.set_values([1.0, 2.0])


# -- row dot product ---------------------------------------------------------------------------------------------
def _dot_setup(n_cols=4, max_rows=8):
    w = np.array([[1.0, 1.0, 0.0, -0.5, 0.3, 0.2, -1.0, 0.5, 0.25, 0.1][:n_cols],
                  [0.2, -1.0, 0.5, 0.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1][:n_cols]])
    x = np.array([1.0, 1.0, 0.3, 0.2, -1.0, 2.0, 0.5, 1.0, -2.0, 4.0][:n_cols])
    products = w[0] * x
    return WeightMatrix(w), EmbeddingVector(x, max_rows=max_rows), products, np.cumsum(products)


def test_row_dot_product_ends_on_passed_value():
    m, v, products, sums = _dot_setup()
    dot = RowDotProduct(m, v, 0, products=products, partial_sums=sums)
    assert dot.final_value == pytest.approx(sums[-1])
    play_dry(lambda s: (s.add(m, v), [dot.highlight()])[1], lambda s: [dot.accumulate(run_time=2)],
             lambda s: [dot.clear()])
    assert dot.result.get_value() == pytest.approx(sums[-1])


def test_row_dot_product_with_bias_and_hidden_terms():
    m, v, products, sums = _dot_setup(n_cols=10, max_rows=6)
    assert v.shown_rows == [0, 1, 2, 3, 9] and m.shown_cols == [0, 1, 2, 3, 9]
    bias = -1.0
    all_sums = np.append(sums, sums[-1] + bias)
    dot = RowDotProduct(m, v, 0, products=products, partial_sums=all_sums, bias=bias)
    steps = dot._term_steps()
    covered = [k for kind, a, b in steps for k in range(a, b + 1)]
    assert covered == list(range(10))  # every term is counted, hidden ones in one jump
    assert ("hidden", 4, 8) in steps
    play_dry(lambda s: (s.add(m, v), [dot.animation(time_per_term=0.2)])[1])
    assert dot.result.get_value() == pytest.approx(all_sums[-1])


def test_row_dot_product_rejects_inconsistent_numbers():
    m, v, products, sums = _dot_setup()
    bad = sums.copy()
    bad[2] += 0.5
    with pytest.raises(InconsistentNumbersError):
        RowDotProduct(m, v, 0, products=products, partial_sums=bad)
    with pytest.raises(InconsistentNumbersError):  # products that are not W[row] * x
        RowDotProduct(m, v, 0, products=products + 1, partial_sums=np.cumsum(products + 1))
    with pytest.raises(InconsistentNumbersError):  # wrong length
        RowDotProduct(m, v, 0, products=products[:3], partial_sums=sums[:3])
    with pytest.raises(InconsistentNumbersError):  # bias given but no extra partial sum
        RowDotProduct(m, v, 0, products=products, partial_sums=sums, bias=1.0)
    # float32 round-off is tolerated
    RowDotProduct(m, v, 0, products=products.astype(np.float32), partial_sums=np.cumsum(products.astype(np.float32)))
    with pytest.raises(HiddenEntryError):
        big = WeightMatrix(np.ones((10, 4)))
        RowDotProduct(big, v, 5, products=v.vector_values, partial_sums=np.cumsum(v.vector_values))


def test_check_running_sum():
    check_running_sum([1, 2, 3], [1, 3, 6])
    check_running_sum([1, 2], [1, 3, 2], bias=-1)
    with pytest.raises(InconsistentNumbersError):
        check_running_sum([1, 2, 3], [1, 3, 7])


# -- scaled column sum -------------------------------------------------------------------------------------------
def _cols_setup():
    rng = np.random.default_rng(4)
    w = rng.normal(size=(7, 5)).round(2)
    n = np.array([1.0, 0.0, 0.5, 0.0, 2.0])
    return w, n, w * n, (w * n).sum(axis=1)


def test_scaled_column_sum_plays_to_the_passed_numbers():
    w, n, scaled, total = _cols_setup()
    m = WeightMatrix(w)
    layer = NeuronLayer(n)
    csum = ScaledColumnSum(m, neuron_values=n, scaled_columns=scaled, result=total,
                           neuron_sources=[layer.get_value_label(j) for j in m.shown_cols])
    play_dry(lambda s: (s.add(m, layer), [csum.animation()])[1])
    for i in m.shown_rows:
        for j in m.shown_cols:
            assert m.get_entry(i, j).get_value() == pytest.approx(scaled[i, j])
    np.testing.assert_allclose(csum.result_vector.vector_values, total)
    assert csum.result_vector.get_left()[0] > m.get_right()[0]
    # inactive neurons dim their column
    dead = m.get_entry(0, 1).get_color().to_hex().upper()
    assert dead == colors.WEIGHT_ZERO.upper()


def test_scaled_column_sum_rejects_inconsistent_numbers():
    w, n, scaled, total = _cols_setup()
    m = WeightMatrix(w)
    with pytest.raises(InconsistentNumbersError):
        ScaledColumnSum(m, neuron_values=n, scaled_columns=scaled * 1.1, result=total)
    with pytest.raises(InconsistentNumbersError):
        ScaledColumnSum(m, neuron_values=n, scaled_columns=scaled, result=total + 0.3)
    with pytest.raises(InconsistentNumbersError):
        ScaledColumnSum(m, neuron_values=n[:4], scaled_columns=scaled, result=total)


# -- neurons -----------------------------------------------------------------------------------------------------
def test_neuron_layer_truncation_and_fill():
    values = np.array([1.0, 0.0, 0.3, -0.5, 2.1, 0.0, 0.7, 0.0, 0.5, 1.2])
    layer = NeuronLayer(values, max_neurons=8)
    assert layer.shown_indices == [0, 1, 2, 3, 4, 5, 9]
    assert layer.get_ellipsis() is not None
    with pytest.raises(HiddenEntryError):
        layer.get_neuron(7)
    assert layer.get_neuron(1).get_fill_color().to_hex().upper() == colors.NEURON_INACTIVE.upper()
    assert layer.get_neuron(3).get_fill_color().to_hex().upper() == colors.NEURON_INACTIVE.upper()
    assert layer.get_neuron(4).get_fill_color().to_hex().upper() == colors.NEURON_ACTIVE.upper()  # the largest
    bright = lambda i: sum(layer.get_neuron(i).get_fill_color().to_rgb())  # noqa: E731
    assert bright(4) > bright(0) > bright(2) > bright(1)
    assert layer.get_value_label(9).get_value() == pytest.approx(1.2)
    assert layer.get_value_label(0).get_left()[0] > layer.get_neuron(0).get_right()[0]
    small = NeuronLayer([1.0, 0.0, 1.0], show_values=False)
    assert small.get_ellipsis() is None
    small.set_values([0.0, 1.0, 0.0])
    assert small.get_neuron(0).get_fill_color().to_hex().upper() == colors.NEURON_INACTIVE.upper()
    assert small.is_active(1) and not small.is_active(0)
    layer2 = NeuronLayer([0.0, 1.0])
    play_dry(lambda s: (s.add(layer2), layer2.change_values_animations([1.0, 0.0]))[1])
    assert layer2.get_value_label(0).get_value() == 1.0
    assert layer2.get_neuron(1).get_fill_color().to_hex().upper() == colors.NEURON_INACTIVE.upper()


def test_network_diagram_edges_follow_weights():
    rng = np.random.default_rng(1)
    w0, w1 = rng.normal(size=(8, 4)), rng.normal(size=(4, 8))
    net = NeuralNetworkDiagram((4, 8, 4), weights=[w0, w1])
    assert len(net.get_edges(0)) == 32 and len(net.get_edges(1)) == 32
    i, j = np.unravel_index(np.argmax(w0), w0.shape)
    line = net.get_edge(0, i, j)
    assert line.get_stroke_color().to_hex().upper() == colors.weight_color(w0[i, j], np.abs(w0).max()).upper()
    assert len(net.get_edges_into(0, 2)) == 4 and len(net.get_edges_out_of(0, 1)) == 8
    with pytest.raises(ValueError):
        NeuralNetworkDiagram((4, 8, 4), weights=[w0.T, w1])
    big = NeuralNetworkDiagram((3, 20), max_neurons=6)
    assert len(big.get_edges(0)) == 3 * 5
    with pytest.raises(HiddenEntryError):
        big.get_edge(0, 10, 0)


# -- diagrams ----------------------------------------------------------------------------------------------------
def test_mlp_block_diagram_layout():
    d = MlpBlockDiagram()
    up, act, down, add = d.get_up_box(), d.get_activation_box(), d.get_down_box(), d.get_add_node()
    assert up.get_right()[0] < act.get_left()[0] < act.get_right()[0] < down.get_left()[0]
    assert down.get_right()[0] < add.get_left()[0]
    path = d.get_residual_path()
    assert path.get_top()[1] > up.get_top()[1]  # the bypass runs above the boxes
    assert np.linalg.norm(path[-1].get_end() - add.get_top()) < 0.05  # and ends in the ⊕
    assert d.width < FRAME_WIDTH and d.height < FRAME_HEIGHT


def test_transformer_flow_and_token_row():
    flow = TransformerFlow(n_layers=2)
    assert len(flow.get_attention_blocks()) == 2 and len(flow.get_mlp_blocks()) == 2
    assert len(flow.get_norm_blocks()) == 4
    assert len(flow.get_tokens()) == 6 == len(flow.get_vectors())
    blocks = flow.get_blocks()
    assert all(a.get_right()[0] < b.get_left()[0] for a, b in zip(blocks, blocks[1:]))
    assert flow.get_layer(1)[1] is flow.get_attention_block(1)
    # pre-norm, as GPT-3 is built: a norm block stands just before every attention and MLP block
    for block in [*flow.get_attention_blocks(), *flow.get_mlp_blocks()]:
        k = list(blocks).index(block)
        assert k > 0 and blocks[k - 1] in flow.get_norm_blocks()
    assert flow.width < FRAME_WIDTH
    no_norm = TransformerFlow(n_tokens=3, n_layers=1, token_labels=(), show_norms=False, ellipsis=False)
    assert len(no_norm.get_blocks()) == 2 and len(no_norm.get_tokens()) == 3
    row = TokenRow(["Michael", "Jordan", "plays", "the", "sport", "of", "___"],
                   token_colors=[colors.FIRST_NAME, colors.LAST_NAME, None, None, None, None, None])
    assert len(row.boxes) == 7
    assert row.get_word(0).get_color().to_hex().upper() == colors.FIRST_NAME.upper()
    assert all(a.get_right()[0] < b.get_left()[0] for a, b in zip(row.boxes, row.boxes[1:]))
    assert row.width < FRAME_WIDTH


# -- charts ------------------------------------------------------------------------------------------------------
EDGES = np.linspace(0, 180, 361)
CENTRES = (EDGES[:-1] + EDGES[1:]) / 2
COUNTS = np.round(5e7 / (5.7 * np.sqrt(2 * np.pi)) * 0.5 * np.exp(-((CENTRES - 90) / 5.7) ** 2 / 2))


def test_rebinning_preserves_total():
    for width in (1, 2, 5, 30):
        counts, edges, outside = rebin_counts(COUNTS, EDGES, display_bin_deg=width)
        assert outside == 0
        assert counts.sum() == pytest.approx(COUNTS.sum())
        assert len(counts) == 180 // width and len(edges) == len(counts) + 1
    counts, edges, outside = rebin_counts(COUNTS, EDGES, x_range=(80, 100))
    assert len(counts) == 40 and edges[0] == 80 and edges[-1] == 100
    assert counts.sum() + outside == pytest.approx(COUNTS.sum())
    assert outside > 0


def test_angle_histogram_bars_axis_and_updates():
    hist = AngleHistogram(COUNTS, EDGES, display_bin_deg=2)
    assert len(hist.get_bars()) == 90
    assert hist.y_max >= COUNTS.reshape(-1, 4).sum(axis=1).max()
    assert hist.display_counts.sum() == pytest.approx(COUNTS.sum())
    heights = hist.bar_heights()
    tallest = int(np.argmax(heights))
    assert 88 <= hist.display_edges[tallest] <= 90
    assert heights.max() <= hist.plot_height + 1e-6
    # y labels stay short and readable even for tens of millions
    assert all(len(lab.text) <= 5 for lab in hist.y_labels)
    y_max = hist.y_max
    play_dry(lambda s: (s.add(hist), [hist.update_counts(COUNTS * 0.5)])[1])
    assert hist.y_max == y_max
    np.testing.assert_allclose(hist.bar_heights(), heights * 0.5, rtol=1e-3, atol=1e-3)
    hist.set_counts(np.zeros_like(COUNTS))
    assert hist.bar_heights().max() == 0
    with pytest.raises(ValueError):
        hist.update_counts(COUNTS[:10])


def test_angle_histogram_fine_bins_log_scale_marks_and_bands():
    hist = AngleHistogram(COUNTS, EDGES, log_scale=True).shift(RIGHT)
    assert len(hist.get_bars()) == 360
    mark = hist.mark_angle(84.29, "Welch")
    assert mark[0].get_x() == pytest.approx(hist.angle_to_point(84.29)[0], abs=1e-6)
    x0, x180 = hist.angle_to_point(0)[0], hist.angle_to_point(180)[0]
    assert mark[0].get_x() == pytest.approx(x0 + (x180 - x0) * 84.29 / 180, abs=1e-6)
    band = hist.shade_band(89, 91)
    assert band.get_left()[0] == pytest.approx(hist.angle_to_point(89)[0], abs=1e-3)
    zoom = AngleHistogram(COUNTS, EDGES, x_range=(80, 100), x_step=5)
    assert len(zoom.get_bars()) == 40 and zoom.outside_count > 0
    assert [lab.text for lab in zoom.x_labels] == ["80°", "85°", "90°", "95°", "100°"]


def test_activation_graph_points():
    graph = ActivationGraph(lambda x: max(x, 0.0))
    assert np.allclose(graph.point_at(2.0), graph.get_axes().c2p(2.0, 2.0))
    assert np.allclose(graph.point_at(-2.0), graph.get_axes().c2p(-2.0, 0.0))
    graph.add_function(lambda x: x / 2, label="half")
    assert np.allclose(graph.dot_at(1.0, k=1).get_center(), graph.get_axes().c2p(1.0, 0.5))


def test_bar_tally_segments_and_labels():
    counts = {"MLP weights": 115_964_116_992, "attention": 57_982_058_496, "embedding": 617_558_016,
              "unembedding": 617_558_016}
    tally = BarTally(counts, width=12)
    total = sum(counts.values())
    for name, c in counts.items():
        assert tally.get_segment(name).width == pytest.approx(12 * c / total, abs=2e-3)
    assert tally.share("MLP weights") == pytest.approx(0.662, abs=1e-3)
    assert tally.get_segment("MLP weights").get_fill_color().to_hex().upper() == colors.MLP_PARAMETERS.upper()
    labels = list(tally.labels)
    for a in range(len(labels)):
        for b in range(a + 1, len(labels)):
            la, lb = labels[a], labels[b]
            overlap_x = la.get_left()[0] < lb.get_right()[0] and lb.get_left()[0] < la.get_right()[0]
            overlap_y = la.get_bottom()[1] < lb.get_top()[1] and lb.get_bottom()[1] < la.get_top()[1]
            assert not (overlap_x and overlap_y), (a, b)


def test_counting_number():
    n = CountingNumber(0)
    play_dry(lambda s: (s.add(n), [n.count_to(175_181_291_520, run_time=0.5)])[1])
    assert n.get_value() == 175_181_291_520


def test_no_attribute_shadows_a_mobject_method():
    """An instance attribute named like a Mobject method (e.g. ``scale``) breaks FadeIn/FadeOut(scale=...)."""
    from manim import VGroup

    edges = np.linspace(0, 180, 37)
    built = [WeightMatrix(np.ones((3, 3))), EmbeddingVector([1.0, 2.0], label="x"), NeuronLayer([1.0, 0.0]),
             NeuralNetworkDiagram((2, 3)), MlpBlockDiagram(), TransformerFlow(), TokenRow(["a", "___"]),
             AngleHistogram(np.ones(36), edges), ActivationGraph(lambda x: x), BarTally({"a": 1, "b": 2}),
             ProbabilityBars({"a": 0.5, "b": 0.5}), SegmentedBar([1, 2]),
             ParallelLanes(["a", "b"], np.ones((2, 3)), np.ones((2, 3)))]
    methods = {name for name in dir(VGroup) if callable(getattr(VGroup, name, None))}
    for mob in built:
        clash = sorted(set(vars(mob)) & methods)
        assert not clash, (type(mob).__name__, clash)
    layer = built[2]
    layer.scale(2)  # still the Mobject method


def _inside_brackets(grid) -> bool:
    left, right = grid.brackets[0].get_right()[0], grid.brackets[1].get_left()[0]
    return all(left < e.get_left()[0] and e.get_right()[0] < right for e in grid.get_entries())


def test_wider_numbers_stay_inside_the_brackets():
    m = WeightMatrix(np.array([[1.0, -1.0], [0.5, 0.0]])).shift(RIGHT * 2).scale(0.8)
    centre = m.elements.get_center()
    m.set_values([[-12.5, 100.0], [0.5, 0.0]])  # set_values re-lays the grid out
    assert _inside_brackets(m)
    np.testing.assert_allclose(m.elements.get_center(), centre, atol=1e-6)
    new = np.array([[-12.5, 100.0, 3.0]])
    reserved = WeightMatrix(np.array([[1.0, -1.0, 3.0]]), reserve_values=new)
    narrow = WeightMatrix(np.array([[1.0, -1.0, 3.0]]))
    assert reserved.width > narrow.width
    play_dry(lambda s: (s.add(reserved), reserved.change_values_animations(new))[1])
    assert _inside_brackets(reserved)


def _run_docstring_example(doc: str, name: str) -> None:
    """Run the first ``.. code-block:: python`` of ``doc``: every Scene it defines renders (dry run)."""
    import inspect
    import textwrap

    doc = inspect.cleandoc(doc)
    assert ".. code-block:: python" in doc, name
    block = doc.split(".. code-block:: python", 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if line.strip() and not line.startswith("    "):
            break
        lines.append(line)
    namespace: dict = {}
    exec(compile(textwrap.dedent("\n".join(lines)), f"<{name} example>", "exec"), namespace)
    scenes = [v for v in namespace.values() if isinstance(v, type) and issubclass(v, Scene) and v is not Scene]
    assert scenes, name
    with tempconfig({"dry_run": True, "disable_caching": True, "write_to_movie": False, "frame_rate": 4}):
        for cls in scenes:
            cls().render()


MOBJECT_MODULES = ["weight_matrix", "products", "neurons", "diagrams", "charts", "numbers", "bars", "layout"]


def test_every_mobject_module_is_listed():
    from pathlib import Path

    import llmfacts.mobjects

    found = {p.stem for p in Path(llmfacts.mobjects.__file__).parent.glob("*.py") if p.stem != "__init__"}
    assert found == set(MOBJECT_MODULES)


@pytest.mark.parametrize("module_name", MOBJECT_MODULES)
def test_module_docstring_example_runs(module_name):
    """Each module's docstring carries a short example scene; it must run (dry run, nothing written)."""
    import importlib

    module = importlib.import_module(f"llmfacts.mobjects.{module_name}")
    _run_docstring_example(module.__doc__, module_name)


#: classes whose own docstring carries an example scene (every class added since the module examples)
CLASS_EXAMPLES = [ProbabilityBars, SegmentedBar, ParallelLanes]


@pytest.mark.parametrize("cls", CLASS_EXAMPLES, ids=[c.__name__ for c in CLASS_EXAMPLES])
def test_class_docstring_example_runs(cls):
    _run_docstring_example(cls.__doc__, cls.__name__)


def test_bar_tally_places_labels_for_many_narrow_segments_and_terminates():
    """Eight categories as uneven as GPT-3's (two tiny embeddings among huge blocks) once looped forever."""
    import threading

    from llmfacts.mobjects import BarTally

    counts = {"embedding": 617_558_016, "query": 14_495_514_624, "key": 14_495_514_624,
              "value": 14_495_514_624, "output": 14_495_514_624, "up": 57_982_058_496,
              "down": 57_982_058_496, "unembedding": 617_558_016}
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("bar", BarTally(counts, width=12.4, show_values=False,
                                                                              show_percent=False)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert "bar" in result, "BarTally did not finish laying out its labels"
    bar = result["bar"]
    assert len(bar.labels) == 8
    total = sum(counts.values())
    assert abs(bar.get_segment("up").width - 12.4 * counts["up"] / total) < 1e-6


# -- bars ----------------------------------------------------------------------------------------------------------
def test_probability_bars_rows_lengths_and_labels():
    probs = {"basketball": 0.9646631559719038, "baseball": 0.0176684, "tennis": 0.0}
    bars = ProbabilityBars(probs, max_width=5.0, word_colors={"basketball": colors.ATTRIBUTE})
    assert len(bars.words) == len(bars.bars) == len(bars.values) == len(bars.rows) == 3
    assert [w.text for w in bars.words] == list(probs)
    assert [v.text for v in bars.values] == ["96.5%", "1.8%", "0.0%"]
    # bar length proportional to the probability; a zero keeps a sliver
    assert bars.bars[0].width == pytest.approx(5.0 * probs["basketball"], abs=1e-6)
    assert bars.bars[2].width == pytest.approx(0.02, abs=1e-6)
    # rows go down in order; words end left of their bars, values start right of them
    ys = [b.get_y() for b in bars.bars]
    assert ys[0] > ys[1] > ys[2]
    for word, bar, value in bars.rows:
        assert word.get_right()[0] < bar.get_left()[0] < bar.get_right()[0] < value.get_left()[0]
    assert bars.bars[0].get_fill_color().to_hex().upper() == colors.ATTRIBUTE.upper()
    assert bars.bars[1].get_fill_color().to_hex().upper() == colors.OTHER_CONCEPT.upper()
    assert ProbabilityBars({"a": 0.12345}, decimals=2).values[0].text == "12.35%"


def test_segmented_bar_shares():
    bar = SegmentedBar([1, 2, 1], ["#FFFFFF"] * 3, width=8.0, height=0.5)
    widths = [seg.width for seg in bar]
    assert widths == pytest.approx([2.0, 4.0, 2.0], abs=1e-6)
    assert bar.width == pytest.approx(8.0, abs=1e-6)
    assert bar.get_center() == pytest.approx(np.zeros(3), abs=1e-6)
    assert bar.shares == pytest.approx([0.25, 0.5, 0.25])
    assert bar.get_segment(1) is bar[1]
    assert all(a.get_right()[0] == pytest.approx(b.get_left()[0], abs=1e-6) for a, b in zip(bar, bar[1:]))
    default = SegmentedBar([3, 0])
    assert default[0].get_fill_color().to_hex().upper() == colors.OTHER_PARAMETERS.upper()
    assert default[1].width == pytest.approx(1e-3)
    with pytest.raises(ValueError):
        SegmentedBar([1, 2], ["#FFFFFF"])


# -- parallel lanes --------------------------------------------------------------------------------------------------
def test_parallel_lanes_one_lane_per_token():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 6))
    lanes = ParallelLanes(["Michael", "Jordan", "plays", "the"], x, x * 2,
                          word_colors=[colors.FIRST_NAME, colors.LAST_NAME, None, None])
    assert len(lanes.words) == len(lanes.in_icons) == len(lanes.out_icons) == len(lanes.lanes) == 4
    assert len(lanes.paths) == 4 and len(lanes.separators) == 3
    assert lanes.get_center() == pytest.approx(np.zeros(3), abs=1e-6)
    ys = [w.get_y() for w in lanes.words]
    assert all(a > b for a, b in zip(ys, ys[1:]))
    assert lanes.words[0].get_color().to_hex().upper() == colors.FIRST_NAME.upper()
    assert lanes.words[2].get_color().to_hex().upper() == colors.TEXT.upper()
    for k in range(4):  # word, vector in, boxes, vector out from left to right
        boxes = lanes.lanes[k][2]
        assert lanes.words[k].get_right()[0] < lanes.in_icons[k].get_left()[0] < boxes.get_left()[0]
        assert boxes.get_right()[0] < lanes.out_icons[k].get_left()[0]
        assert len(lanes.in_icons[k]) == 6
    lanes.shift(RIGHT)
    dots, paths = lanes.moving_dots()
    assert len(dots) == len(paths) == 4
    assert paths[0].get_start() == pytest.approx(lanes.in_icons[0].get_right())
    assert paths[0].get_end() == pytest.approx(lanes.out_icons[0].get_left())
    play_dry(lambda s: (s.add(lanes), [])[1])


# -- layout ------------------------------------------------------------------------------------------------------
def test_grid_table_aligns_columns():
    rows = [[Text("name"), Text("x")], [Text("Michael Jordan"), Text("2.00")], [Text("Al"), Text("\u22121.00")],
            [Text("Phelps"), Text("0.00")]]
    table = grid_table(rows)
    # first column left-aligned, numbers right-aligned
    assert table[1][0].get_left()[0] == pytest.approx(table[2][0].get_left()[0])
    assert table[1][1].get_right()[0] == pytest.approx(table[2][1].get_right()[0])
    # rows go down; body rows evenly, whatever their letters
    ys = [line[0].get_top()[1] for line in table]
    assert ys[0] > ys[1] > ys[2] > ys[3]
    assert ys[1] - ys[2] == pytest.approx(ys[2] - ys[3])
    # the header is centred over its column (as wide as its widest cell); columns do not overlap
    column_right, column_width = table[1][1].get_right()[0], max(line[1].width for line in table)
    assert table[0][1].get_x() == pytest.approx(column_right - column_width / 2)
    assert table[1][0].get_right()[0] < min(line[1].get_left()[0] for line in table)
    left = grid_table([[Text("a"), Text("bb")], [Text("ccc"), Text("d")]], left_columns=2)
    assert left[0][1].get_left()[0] == pytest.approx(left[1][1].get_left()[0])


def test_fit_width_only_shrinks():
    wide = Text("a rather long line of text").scale_to_fit_width(6.0)
    assert fit_width(wide, 4.0).width == pytest.approx(4.0)
    narrow = Text("short").scale_to_fit_width(2.0)
    assert fit_width(narrow, 4.0).width == pytest.approx(2.0)


def test_keep_inside_shrinks_about_the_left_edge_and_nudges_back():
    margin = 0.2
    right_limit = config.frame_x_radius - margin
    label = Text("a label that runs past the right edge").scale_to_fit_width(6.0)
    label.move_to([right_limit - 2.0, 1.0, 0], aligned_edge=LEFT)
    left_before = label.get_left()[0]
    keep_inside(label, margin)
    assert label.get_left()[0] == pytest.approx(left_before)
    assert label.get_right()[0] == pytest.approx(right_limit)
    off_left = Text("off the left edge").scale_to_fit_width(3.0).move_to([-config.frame_x_radius, 0, 0])
    keep_inside(off_left, margin)
    assert off_left.get_left()[0] == pytest.approx(-config.frame_x_radius + margin)
    assert off_left.width == pytest.approx(3.0)
    inside = Text("fits").move_to([0, 0, 0])
    centre = inside.get_center().copy()
    assert keep_inside(inside) is inside and inside.get_center() == pytest.approx(centre)


# -- the design system: every mobject's defaults pass the layout checks ------------------------------------------------
def _layout_cases():
    rng = np.random.default_rng(7)
    relu = lambda x: max(x, 0.0)  # noqa: E731
    return {
        "WeightMatrix": lambda: WeightMatrix(rng.normal(size=(8, 10))),
        "EmbeddingVector": lambda: EmbeddingVector(rng.normal(size=12), label="$E$"),
        "LabeledVector (plain text label)": lambda: LabeledVector(rng.normal(size=4), "Michael Jordan"),
        "NeuronLayer": lambda: NeuronLayer(np.linspace(-1.0, 2.0, 12)),
        "MlpBlockDiagram": lambda: MlpBlockDiagram(),
        "TransformerFlow": lambda: TransformerFlow(n_layers=2),
        "ParallelLanes": lambda: ParallelLanes(["Michael", "Jordan", "plays"], rng.normal(size=(3, 6)),
                                               rng.normal(size=(3, 6))),
        "TokenRow": lambda: TokenRow(["Michael", "Jordan", "plays", "the", "sport", "of", "___"]),
        "ProbabilityBars": lambda: ProbabilityBars({"basketball": 0.9647, "baseball": 0.0177, "tennis": 0.0176}),
        "BarTally": lambda: BarTally({"MLP weights": 115_964_116_992, "attention": 57_982_058_496,
                                      "embedding": 617_558_016, "unembedding": 617_558_016}),
        "AngleHistogram (log)": lambda: AngleHistogram(COUNTS, EDGES, log_scale=True, display_bin_deg=2),
        "ActivationGraph": lambda: ActivationGraph(relu),
        "CountingNumber": lambda: CountingNumber(49_152),
    }


@pytest.mark.parametrize("name", list(_layout_cases()))
def test_default_mobjects_meet_the_type_scale_and_layout_rules(name):
    """Built with its defaults and centred, no mobject has text below the minimum size, overlapping texts,
    text outside the title-safe frame, or prose."""
    from llmfacts.layout_check import check_mobjects, format_violations

    mob = _layout_cases()[name]()
    mob.move_to([0, 0, 0])
    found = check_mobjects(Scene(), name, "defaults", [mob])
    assert not found, format_violations(found)


def test_token_row_words_are_texts_with_their_true_size():
    """The layout checks find a token's word (a Text) and read the size it was made with, although the
    struts that align the baselines are gone."""
    from llmfacts import style
    from llmfacts.layout_check import text_mobjects

    row = TokenRow(["Michael", "Jordan", "___"], font_size=style.BODY)
    words = text_mobjects([row])
    assert len(words) == 3 and all(isinstance(w, Text) for w in words)
    assert [w.original_text for w in words[:2]] == ["Michael", "Jordan"]
    assert [len(w.submobjects) for w in words[:2]] == [7, 6]  # the letters only
    for word in words:
        assert word.font_size == pytest.approx(style.BODY, rel=1e-6)
    row.scale(0.5)
    assert words[0].font_size == pytest.approx(style.BODY / 2, rel=1e-6)


def test_notation_in_the_mlp_diagrams_is_latex():
    from manim import MathTex

    from llmfacts import style

    diagram = MlpBlockDiagram()
    assert isinstance(diagram.get_up_box().label, MathTex)
    assert diagram.get_up_box().label.tex_string == f"${style.W_UP}$"
    assert diagram.get_down_box().label.tex_string == f"${style.W_DOWN}$"
