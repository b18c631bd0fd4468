"""A lecturer's variant: the same MLP story for another fact, in a bigger toy space.

Render it like any manim file (from the repository, with the venv active):

    manim render -ql examples/serena_williams.py SerenaRelu
    manim render -ql examples/serena_williams.py SerenaUpProjection
"""

from scenes.relu import ReluGate
from scenes.up_projection import UpProjection


class SerenaFact:
    first_name, last_name, attribute = "Serena", "Williams", "tennis"
    d_model = 16  # a bigger toy embedding space; every number is recomputed


class SerenaUpProjection(SerenaFact, UpProjection):
    shown_rows = 5  # show fewer rows of W_up


class SerenaRelu(SerenaFact, ReluGate):
    pass
