"""Shared test configuration.

* ``--update-control-frames`` rewrites the stored key frames of the scenes (tests/control_frames/).
* A skipped test has checked nothing, so any skip makes the run fail (set LLMFACTS_ALLOW_SKIPS=1 to allow
  skips, e.g. while writing a test).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Tests run silent unless a test asks for a voice (the default voice, Piper, would synthesise every beat).
os.environ.setdefault("LLMFACTS_VOICE", "none")

_skipped: list[str] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-control-frames", action="store_true",
                     help="write the rendered key frames as the new control frames")


@pytest.fixture(scope="session")
def update_control_frames(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-control-frames"))


@pytest.fixture(scope="session")
def manim_media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One media folder for the whole session (TeX results are reused between scenes)."""
    return tmp_path_factory.mktemp("media")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and exitstatus == 0 and not os.environ.get("LLMFACTS_ALLOW_SKIPS"):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"FAILED: {len(_skipped)} test(s) skipped; a skipped test checks nothing:", red=True)
            for nodeid in _skipped:
                reporter.write_line(f"  {nodeid}", red=True)
        session.exitstatus = 1
