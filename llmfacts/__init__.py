"""llmfacts: the code behind a video on how transformer MLP blocks might store facts.

Layers (each importable and tested on its own):

* :mod:`llmfacts.compute` - pure NumPy / PyTorch computation (never imports manim);
* :mod:`llmfacts.colors` - the one colour language every scene speaks;
* :mod:`llmfacts.mobjects` - reusable ManimCE mobjects and animations;
* :mod:`llmfacts.story` - the base scene class (steps, sections, narration);
* :mod:`llmfacts.storyboard` - the scenes in story order (read by ``render.py``).
"""

__version__ = "0.1.0"
