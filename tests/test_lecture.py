"""Lecture: one frozen, validated object for what a video is about; its computations are cached per lecture."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from llmfacts.compute.lecture import (
    DEFAULT_LECTURE,
    LECTURE_ENV,
    Lecture,
    LectureError,
    SuperpositionSpec,
    ToyBlock,
    active_lecture,
    load_lecture,
)
from llmfacts.compute.toy_mlp import ToyFact
from llmfacts.storyboard import REPO_ROOT


@pytest.mark.parametrize("build, field", [
    (lambda: Lecture(fact=ToyFact("Marie", "Curie", "Curie")), "Lecture.fact.attribute"),
    (lambda: Lecture(fact=ToyFact("Marie", "Marie", "chemistry")), "Lecture.fact.last_name"),
    (lambda: Lecture(fact=ToyFact(" Marie", "Curie", "chemistry")), "Lecture.fact.first_name"),
    (lambda: Lecture(prompt_words=()), "Lecture.prompt_words"),
    (lambda: Lecture(prompt_words=("plays", "basketball")), "Lecture.prompt_words[1]"),
    (lambda: Lecture(toy=ToyBlock(d_model=4)), "Lecture.toy.d_model"),
    (lambda: ToyBlock(hidden_factor=0), "Lecture.toy.hidden_factor"),
    (lambda: SuperpositionSpec(n=1), "Lecture.superposition.n"),
    (lambda: SuperpositionSpec(steps=-1), "Lecture.superposition.steps"),
    (lambda: SuperpositionSpec(classic_steps=-5), "Lecture.superposition.classic_steps"),
    (lambda: SuperpositionSpec(method="adam"), "Lecture.superposition.method"),
    (lambda: SuperpositionSpec(tolerance_deg=0), "Lecture.superposition.tolerance_deg"),
    (lambda: Lecture(name="My Lecture"), "Lecture.name"),
    (lambda: Lecture(name="low"), "Lecture.name"),
])
def test_bad_values_get_one_line_naming_the_field(build, field):
    with pytest.raises(LectureError) as info:
        build()
    message = str(info.value)
    assert message.startswith(field + ":"), message
    assert "\n" not in message


def test_empty_name_is_refused_before_the_lecture():
    with pytest.raises(ValueError, match="first_name"):
        Lecture(fact=ToyFact("", "Curie", "chemistry"))


def test_a_lecture_is_frozen_and_hashable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LECTURE.name = "other"  # type: ignore[misc]
    assert hash(Lecture()) == hash(DEFAULT_LECTURE) and Lecture() == DEFAULT_LECTURE


def test_fingerprint_follows_every_value():
    base = DEFAULT_LECTURE.fingerprint()
    assert Lecture().fingerprint() == base
    changed = [DEFAULT_LECTURE.replace(toy={"seed": 1}), DEFAULT_LECTURE.replace(superposition={"n": 9_999}),
               DEFAULT_LECTURE.replace(prompt_words=("plays", "the", "game", "of")),
               DEFAULT_LECTURE.replace(fact=ToyFact("Michael", "Jordan", "golf"))]
    prints = {c.fingerprint() for c in changed}
    assert base not in prints and len(prints) == len(changed)


def test_replace_with_nested_fields_validates_again():
    lecture = DEFAULT_LECTURE.replace(toy={"d_model": 20})
    assert lecture.toy.d_model == 20 and lecture.toy.seed == DEFAULT_LECTURE.toy.seed
    with pytest.raises(LectureError, match="toy.d_model"):
        DEFAULT_LECTURE.replace(toy={"d_model": 3})


def test_computations_run_once_per_lecture():
    lecture = Lecture(toy=ToyBlock(seed=5))
    calls = []

    def costly(lec, k):
        calls.append(k)
        return k * lec.toy.seed

    assert lecture.cached(costly, 2) == 10 and lecture.cached(costly, 2) == 10 and lecture.cached(costly, 3) == 15
    assert calls == [2, 3]
    assert lecture.toy_mlp() is lecture.toy_mlp()
    other = Lecture(toy=ToyBlock(seed=6))
    assert other.cached(costly, 2) == 12, "another lecture has its own cache"


def test_token_vectors_are_the_toy_directions_and_perpendicular_fillers():
    lecture = DEFAULT_LECTURE
    mlp, vectors = lecture.toy_mlp(), lecture.token_vectors()
    assert vectors.shape == (2 + len(lecture.prompt_words), lecture.toy.d_model)
    np.testing.assert_allclose(vectors[0], mlp.direction(lecture.fact.first_name))
    np.testing.assert_allclose(vectors[1], mlp.direction(lecture.fact.last_name))
    named = np.stack([mlp.direction(n) for n in mlp.names])
    np.testing.assert_allclose(np.abs(vectors[2:] @ named.T).max(), 0.0, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0)


def test_the_toy_block_stores_the_lectures_fact():
    marie = load_lecture(str(REPO_ROOT / "examples" / "marie_curie.py"))
    trace = marie.trace()
    assert trace.readout_out["chemistry"] - trace.readout_in["chemistry"] == pytest.approx(1.0)
    assert marie.contrast_pairs()[0] == ("Marie", "Curie")
    assert max(marie.next_token_guess().items(), key=lambda kv: kv[1])[0] == "chemistry"


def test_load_lecture_forms(tmp_path):
    path = tmp_path / "lec.py"
    path.write_text("from llmfacts.compute.lecture import Lecture\nfrom llmfacts.compute.toy_mlp import ToyFact\n"
                    "LECTURE = Lecture(name='x', fact=ToyFact('Ada', 'Lovelace', 'mathematics'))\n"
                    "OTHER = Lecture(name='y')\nNOT_ONE = 3\n")
    assert load_lecture(str(path)).fact.first_name == "Ada"
    assert load_lecture(f"{path}:OTHER").name == "y"
    assert load_lecture("llmfacts.compute.lecture:DEFAULT_LECTURE") == DEFAULT_LECTURE
    for spec, words in [(f"{path}:NOT_ONE", "NOT_ONE = Lecture"), (str(tmp_path / "missing.py"), "no such file"),
                        ("no.such.module:X", "cannot import"), ("", "empty")]:
        with pytest.raises(LectureError, match=words):
            load_lecture(spec)
    broken = tmp_path / "broken.py"
    broken.write_text("from llmfacts.compute.lecture import Lecture, SuperpositionSpec\n"
                      "LECTURE = Lecture(superposition=SuperpositionSpec(n=1))\n")
    with pytest.raises(LectureError, match=r"broken.py: Lecture.superposition.n"):
        load_lecture(str(broken))


def test_active_lecture_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(LECTURE_ENV, raising=False)
    assert active_lecture() is DEFAULT_LECTURE
    monkeypatch.setenv(LECTURE_ENV, str(REPO_ROOT / "examples" / "marie_curie.py"))
    assert active_lecture().name == "marie-curie"


def test_compute_layer_never_imports_manim():
    code = "import sys, llmfacts.compute.lecture; print('manim' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_old_style_subclass_attributes_tell_another_fact():
    from llmfacts.story import StoryScene

    class Serena(StoryScene):
        first_name, last_name, attribute = "Serena", "Williams", "tennis"
        d_model = 16

    lecture = Serena.resolve_lecture()
    assert lecture.fact == ToyFact("Serena", "Williams", "tennis") and lecture.toy.d_model == 16
    assert StoryScene.resolve_lecture() == active_lecture()
