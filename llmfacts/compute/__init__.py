"""Pure computation behind every number on screen (NumPy and PyTorch only; never imports manim).

* :mod:`llmfacts.compute.toy_mlp` - a toy MLP block that stores one fact, and its PyTorch twin;
* :mod:`llmfacts.compute.gpt3` - GPT-3's parameters counted from a PyTorch module on the meta device;
* :mod:`llmfacts.compute.superposition` - angles between many nearly perpendicular vectors, bounds,
  and the optimisations that push random vectors apart;
* :mod:`llmfacts.compute.cache` - a disk cache keyed by every parameter, written atomically.
"""
