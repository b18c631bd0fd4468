# The two commands of the README:
#   make video   - install what is missing, then render the whole video (renders/high/how-llms-store-facts.mp4)
#   make test    - install what is missing, then lint (ruff) and run the test suite
# Both are idempotent: a second run skips the installation in about a second.

PYTHON := .venv/bin/python
QUALITY ?= high
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
TEST_JOBS ?= $(JOBS)

.PHONY: setup video test stills slides bench control-frames clean

setup:
	@scripts/bootstrap.sh

video: setup
	$(PYTHON) render.py all --quality $(QUALITY) --jobs $(JOBS)

test: setup
	.venv/bin/ruff check .
	$(PYTHON) -m pytest -n $(TEST_JOBS) $(PYTEST_ARGS)

stills: setup
	$(PYTHON) render.py all --quality low --stills

slides: setup
	@scripts/bootstrap.sh --with-slides
	$(PYTHON) render.py slides --quality $(QUALITY) --jobs $(JOBS)

bench: setup
	$(PYTHON) bench/superposition.py
	$(PYTHON) bench/render_parallel.py

control-frames: setup
	$(PYTHON) -m pytest tests/test_scenes.py --update-control-frames

clean:
	rm -rf build renders media tests/output
