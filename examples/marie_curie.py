"""A whole lecture for another fact: "Marie Curie worked in the field of ___" -> chemistry.

Every scene of the story tells this fact, in a 20-dimensional toy space, with a smaller superposition
experiment (3,000 vectors in 60 dimensions); every number is recomputed. Render the whole video (into
``renders/marie-curie/<quality>/``) with::

    .venv/bin/python render.py --lecture examples/marie_curie.py --quality low

or a single scene with plain manim::

    LLMFACTS_LECTURE=examples/marie_curie.py manim render -ql scenes/relu.py ReluGate
"""

from llmfacts.compute.lecture import Lecture, SuperpositionSpec, ToyBlock
from llmfacts.compute.toy_mlp import ToyFact

LECTURE = Lecture(
    name="marie-curie",
    fact=ToyFact("Marie", "Curie", "chemistry"),
    prompt_words=("worked", "in", "the", "field", "of"),
    toy=ToyBlock(
        d_model=20,
        seed=1,
        # two other facts that share one name each with Marie Curie: the AND gate must tell them apart
        distractors=(ToyFact("Pierre", "Curie", "physics"), ToyFact("Marie", "Antoinette", "politics")),
    ),
    superposition=SuperpositionSpec(n=3_000, d=60, tolerance_deg=2.0),
)
