"""Reusable mobjects of the video: matrices and vectors of real numbers, the two key matrix-vector
animations, neurons, block diagrams, charts and bars, and layout helpers. Every default colour comes from
:mod:`llmfacts.colors`; numbers are written by :mod:`llmfacts.formatting`.

The mobjects take plain numbers and arrays; they never compute the model (that is :mod:`llmfacts.compute`).
"""

from llmfacts.mobjects import bars as _bars
from llmfacts.mobjects import charts as _charts
from llmfacts.mobjects import diagrams as _diagrams
from llmfacts.mobjects import layout as _layout
from llmfacts.mobjects import neurons as _neurons
from llmfacts.mobjects import numbers as _numbers
from llmfacts.mobjects import products as _products
from llmfacts.mobjects import weight_matrix as _weight_matrix
from llmfacts.mobjects.bars import *  # noqa: F401,F403
from llmfacts.mobjects.charts import *  # noqa: F401,F403
from llmfacts.mobjects.diagrams import *  # noqa: F401,F403
from llmfacts.mobjects.layout import *  # noqa: F401,F403
from llmfacts.mobjects.neurons import *  # noqa: F401,F403
from llmfacts.mobjects.numbers import *  # noqa: F401,F403
from llmfacts.mobjects.products import *  # noqa: F401,F403
from llmfacts.mobjects.weight_matrix import *  # noqa: F401,F403

__all__ = [*_weight_matrix.__all__, *_neurons.__all__, *_products.__all__, *_diagrams.__all__, *_charts.__all__,
           *_numbers.__all__, *_bars.__all__, *_layout.__all__]
