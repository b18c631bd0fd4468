"""The video's scenes, one module per scene; :mod:`llmfacts.storyboard` lists them in story order."""
