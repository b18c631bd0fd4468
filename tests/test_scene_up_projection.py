"""UpProjection: what it says is what the toy block's W↑ does to the full name's vector, for the default lecture,
Marie Curie and edge lectures (nearly perpendicular names, a block with no other facts, a tiny block, another
transformer); its layout parameters are checked; it runs for another lecture and speaks its lines.

Every check derives its numbers here from the raw weights: E is the sum of the two name directions, each entry
of W↑ E is a row of ``mlp.W_up`` dotted with it, and the transformer's W↑ is ``d_mlp`` rows of ``d_model``
numbers in each of ``n_layers`` layers. Nothing is read back from the scene's trace or tally.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from llmfacts.compute.gpt3 import GPTHyperparameters
from llmfacts.compute.lecture import DEFAULT_LECTURE, load_lecture
from llmfacts.compute.toy_mlp import ToyFact
from llmfacts.mobjects.weight_matrix import shown_indices
from llmfacts.story import SceneParameterError
from llmfacts.testing import dry_run, prepared_scene
from scenes.up_projection import UpProjection

CURIE = load_lecture("examples/marie_curie.py")
SMALL_GPT = GPTHyperparameters(vocab_size=1000, d_model=96, n_layers=3, n_heads=4, d_head=24, d_mlp=250, context=64,
                               name="Tiny GPT")
LECTURES = {
    "default": DEFAULT_LECTURE,
    "curie": CURIE,
    "overlap": DEFAULT_LECTURE.replace(toy={"overlap": 0.3}),  # nearly perpendicular names: row 0 gives 1.90
    "alone": DEFAULT_LECTURE.replace(toy={"distractors": ()}),  # no other fact: every other row is random
    "tiny": DEFAULT_LECTURE.replace(toy={"d_model": 7, "hidden_factor": 1}, transformer=SMALL_GPT),
}


def numbers_in(text: str) -> list[float]:
    return [float(m.replace("\u2212", "-")) for m in re.findall(r"[\u2212-]?\d+\.\d+", text)]


def said(value: float) -> str:
    """How a number reads in the narration: two decimals, a true minus, never −0.00."""
    text = f"{value:.2f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "\u2212")


def full_name_vector(lecture) -> np.ndarray:
    mlp, fact = lecture.toy_mlp(), lecture.fact
    return mlp.direction(fact.first_name) + mlp.direction(fact.last_name)


def pair_scores(lecture) -> list[tuple[int, float]]:
    """(names shared with the fact, row 0 · (first + last)) for every contrast pair, from the weights."""
    mlp, fact = lecture.toy_mlp(), lecture.fact
    out = []
    for first, last in lecture.contrast_pairs():
        shared = int(first == fact.first_name) + int(last == fact.last_name)
        out.append((shared, float(mlp.W_up[0] @ (mlp.direction(first) + mlp.direction(last)))))
    return out


@pytest.fixture(scope="module", params=list(LECTURES))
def case(request):
    lecture = LECTURES[request.param]
    return request.param, lecture, prepared_scene(UpProjection, lecture=lecture)


def test_row_zero_is_the_two_names_and_its_dot_product_is_said(case):
    _, lecture, scene = case
    mlp, fact = lecture.toy_mlp(), lecture.fact
    x = full_name_vector(lecture)
    is_sum = np.allclose(mlp.W_up[0], mlp.direction(fact.first_name) + mlp.direction(fact.last_name), atol=1e-12)
    assert is_sum  # the toy block is built so; the sentences below depend on it
    assert ("Row 0 is exactly the direction of " + fact.first_name) in scene.lines["rows_are_directions"]
    dot = scene.lines["dot_product"]
    assert f"add up all {mlp.d_model} products" in dot
    assert f"For {fact.full_name} the sum comes to {said(mlp.W_up[0] @ x)}." in dot
    assert f"{mlp.d_hidden} rows of {mlp.d_model} numbers" in scene.lines["show_product"]


def test_the_numbers_each_row_shows_are_its_products_with_e(case):
    """The terms the scene adds for a row are that row's entries times E's, and they add up to the output."""
    _, lecture, scene = case
    mlp = lecture.toy_mlp()
    x = full_name_vector(lecture)
    np.testing.assert_allclose(scene.trace.x, x, atol=1e-12)
    for i in shown_indices(mlp.d_hidden, scene.shown_rows)[0]:
        np.testing.assert_allclose(scene.trace.row_products[i], mlp.W_up[i] * x, atol=1e-12)
        assert scene.trace.partial_sums[i][-1] == pytest.approx(float(mlp.W_up[i] @ x), abs=1e-9)
        assert scene.trace.up[i] == pytest.approx(float(mlp.W_up[i] @ x), abs=1e-9)


def test_the_split_quotes_each_name_and_adds_up(case):
    _, lecture, scene = case
    mlp, fact = lecture.toy_mlp(), lecture.fact
    x = full_name_vector(lecture)
    first, last = float(mlp.direction(fact.first_name) @ x), float(mlp.direction(fact.last_name) @ x)
    assert first + last == pytest.approx(float(mlp.W_up[0] @ x), abs=1e-9)  # (F + L) · E = F · E + L · E
    why = scene.lines["why_two"]
    assert why.startswith(f"Why {said(first + last)}?")
    assert f"{fact.first_name} · E gives {said(first)}, and {fact.last_name} · E gives {said(last)}." in why


def test_the_pairs_and_the_verdict_follow_the_scores(case):
    key, lecture, scene = case
    why = scene.lines["why_two"]
    scores = pair_scores(lecture)
    full = scores[0][1]
    for shared, phrase in ((1, "with only one of the names row 0 gives "), (0, "with neither, ")):
        group = [s for k, s in scores if k == shared]
        if not group:
            assert phrase not in why.lower()
            continue
        segment = why.lower().split(phrase, 1)[1].split(", and")[0].split(". ")[0]  # "1.00" or "from a to b"
        quoted = numbers_in(segment)
        assert min(group) - 0.005 <= quoted[0] <= max(group) + 0.005
        if len({said(s) for s in group}) > 1:
            assert quoted[1] == pytest.approx(max(group), abs=0.005)
    beaten = [s for _, s in scores[1:] if s >= full - 1e-9]
    assert ("Only the full name reaches" in why) == (not beaten and len(scores) > 1)
    assert "Only the full name reaches" in why or key == "alone"


def test_other_rows_name_their_facts_and_quote_their_sums(case):
    _, lecture, scene = case
    mlp, fact = lecture.toy_mlp(), lecture.fact
    x = full_name_vector(lecture)
    line = scene.lines["other_rows"]
    shown = [i for i in shown_indices(mlp.d_hidden, scene.shown_rows)[0] if i != 0]
    n_facts = len(mlp.facts)
    fact_rows = [i for i in shown if i < n_facts]
    for i in fact_rows:
        other = mlp.facts[i]
        assert other.full_name in line
        assert int(other.first_name == fact.first_name) + int(other.last_name == fact.last_name) == 1
    if fact_rows:
        assert f"one name with {fact.full_name}" in line
        values = {said(mlp.W_up[i] @ x) for i in fact_rows}
        if len(values) == 1:
            assert f"gives {values.pop()}." in line
    else:
        assert "ask about" not in line
    for i in shown:
        if i >= n_facts:
            assert f"row {i} gives {said(mlp.W_up[i] @ x)}" in line
    assert ("random numbers" in line) == any(i >= n_facts for i in shown)


def test_the_real_size_is_the_transformers(case):
    _, lecture, scene = case
    hp = lecture.transformer
    line = scene.lines["real_size"]
    assert line.startswith(f"And in {hp.name}?")
    assert f"Its W↑ has {hp.d_mlp:,} rows" in line and f"its {hp.d_model:,} dimensions" in line
    times = f"{hp.d_mlp // hp.d_model} times" if hp.d_mlp % hp.d_model == 0 else f"{hp.d_mlp / hp.d_model:.2f} times"
    assert times in line
    assert f"{hp.d_mlp * hp.d_model:,} weights" in line
    assert f"in each of its {hp.n_layers:,} layers" in line


def test_gpt3_figures_for_the_default_lecture():
    line = prepared_scene(UpProjection).lines["real_size"]
    assert "49,152 rows, 4 times its 12,288 dimensions: 603,979,776 weights" in line
    assert "2.60 times" in prepared_scene(UpProjection, lecture=LECTURES["tiny"]).lines["real_size"]


def test_describe_follows_the_lecture():
    default = UpProjection.describe(DEFAULT_LECTURE)
    assert "48 dot products" in default and "row 0 (Michael + Jordan) gives 2.00 for Michael Jordan" in default
    assert default.endswith("GPT-3 175B's W↑, 49,152 × 12,288")
    curie = UpProjection.describe(CURIE)
    assert "Marie Curie" in curie and "80 dot products" in curie and "Michael" not in curie
    assert "gives 1.90" in UpProjection.describe(LECTURES["overlap"])
    assert UpProjection.describe(LECTURES["tiny"]).endswith("Tiny GPT's W↑, 250 × 96")


@pytest.mark.parametrize("key", ["default", "curie", "long_names"])
def test_row_labels_and_product_fit_the_safe_frame(key):
    """Beside the matrix each shown row says what it asks; names too long for that column become initials."""
    import llmfacts.style as style

    lecture = LECTURES.get(key) or DEFAULT_LECTURE.replace(fact=ToyFact("Bartholomew", "Vanderbilt", "railways"))
    scene = prepared_scene(UpProjection, lecture=lecture)
    scene._build_product()
    scene.product.shift(scene.work_shift)
    labels = [scene._place_row_label(i) for i in scene.rows_shown]
    left = min(label.get_left()[0] for label in labels)
    assert left >= style.SAFE_FRAME.x_min - 1e-6 and scene.product.get_right()[0] <= style.SAFE_FRAME.x_max + 1e-6
    words = [re.sub(r"<[^>]+>", "", getattr(label, "original_text", "")) for label in labels]  # markup stripped
    first = lecture.fact.first_name
    assert (first in words[0]) == (key != "long_names")
    assert words[0].startswith(first[0])
    assert [w for w in words if "random" in w] == ["random"] * sum(i >= len(lecture.toy_mlp().facts)
                                                                  for i in scene.rows_shown)


@pytest.mark.parametrize(("attribute", "value"), [("decimals", 0), ("shown_cols", 6), ("shown_rows", 2),
                                                  ("time_per_term", 0.0)])
def test_bad_layout_parameter_is_one_line_naming_it(attribute, value):
    with pytest.raises(SceneParameterError, match=rf"UpProjection\.{attribute}: ") as error:
        prepared_scene(UpProjection, **{attribute: value})
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("key", ["curie", "alone"])
def test_runs_for_another_lecture_and_speaks_its_lines(key, manim_media_dir):
    spoken: list[str] = []
    lecture = LECTURES[key]

    class Other(UpProjection):
        def narrate(self, text, duration=None, *, speech=None):
            spoken.append(text)
            return super().narrate(text, duration, speech=speech)

    Other.lecture = lecture
    seconds = dry_run(Other, media_dir=manim_media_dir)
    lines = prepared_scene(UpProjection, lecture=lecture).lines
    assert spoken == [lines[step] for step in UpProjection.steps]
    assert 25 <= seconds <= 120
    if key == "curie":
        joined = " ".join(spoken)
        assert "Marie Curie" in joined and "Michael" not in joined and "Jordan" not in joined
