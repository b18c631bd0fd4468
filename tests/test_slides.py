"""Slides: ``as_slides``, the deck (one self-contained HTML file) and the deck playing in headless Chromium.

The deck is built once per session from three tiny scenes at low quality: TinyStory (2 steps), a lecturer's
subclass with a changed parameter and a third step, and a subclass whose ``begin_step`` skips ``super()``.
Chromium is Debian's (/usr/bin/chromium, installed by scripts/bootstrap.sh), driven over the DevTools
protocol with the ``websockets`` package, with the network switched off.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from llmfacts import slides
from llmfacts.slides import MANIM_SLIDES_VERSION, REVEALJS_VERSION, as_slides, build_deck
from llmfacts.story import StoryScene
from llmfacts.storyboard import REPO_ROOT, SceneEntry
from tests.fixtures.slides_fixture import LecturerTiny
from tests.fixtures.tiny_scene import TinyStory

TINY = SceneEntry("TinyStory", "tests.fixtures.tiny_scene", "fixture")
LECTURER = SceneEntry("LecturerTiny", "tests.fixtures.slides_fixture", "fixture")
OWN = SceneEntry("OwnSections", "tests.fixtures.slides_fixture", "fixture")
BROKEN = SceneEntry("BrokenStory", "tests.fixtures.tiny_scene", "fixture")
SLIDES_PER_SCENE = {"TinyStory": 2, "LecturerTiny": 3, "OwnSections": 2}  # one per step
TOTAL_SLIDES = sum(SLIDES_PER_SCENE.values())
CHROMIUM = "/usr/bin/chromium"


@dataclass
class Deck:
    path: Path
    build_dir: Path
    renders: Path


@pytest.fixture(scope="session")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Deck:
    root = tmp_path_factory.mktemp("slides")
    target = root / "deck" / "slides.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LLMFACTS_RENDER_DIR", str(root / "renders"))
        started = time.perf_counter()
        code = build_deck([TINY, LECTURER, OWN], quality="low", jobs=2, output=target, build_dir=root / "build")
        print(f"deck built in {time.perf_counter() - started:.1f} s")
    assert code == 0, "build_deck failed; see the captured output"
    return Deck(target, root / "build", root / "renders")


# ------------------------------------------------------------------------------------------- setup and pins
def test_pins_agree_and_the_slides_stack_is_installed():
    lock = (REPO_ROOT / "requirements-slides.lock").read_text()
    assert f"manim-slides=={MANIM_SLIDES_VERSION}" in lock.splitlines()
    assert importlib.metadata.version("manim-slides") == MANIM_SLIDES_VERSION
    fetch = (REPO_ROOT / "scripts" / "fetch_revealjs.sh").read_text()
    assert re.search(rf"^VERSION={re.escape(REVEALJS_VERSION)}$", fetch, re.M)
    assert slides.require_revealjs().name == f"revealjs{REVEALJS_VERSION}"


def test_setup_problems_are_one_clear_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("LLMFACTS_REVEALJS_CACHE", str(tmp_path / "empty"))
    assert build_deck([TINY], quality="low", output=tmp_path / "d.html", build_dir=tmp_path) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "reveal.js" in err and "make slides" in err
    monkeypatch.delenv("LLMFACTS_REVEALJS_CACHE")

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert build_deck([TINY], quality="low", output=tmp_path / "d.html", build_dir=tmp_path) == 1
    err = capsys.readouterr().err.strip()
    assert err == "render.py slides: manim-slides is not installed; run 'make slides' (or scripts/bootstrap.sh --with-slides)"

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "5.6.0")
    assert build_deck([TINY], quality="low", output=tmp_path / "d.html", build_dir=tmp_path) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "5.6.0" in err and MANIM_SLIDES_VERSION in err
    assert not (tmp_path / "d.html").exists()

    missing = SceneEntry("NoSuchScene", "scenes.no_such_module", "fixture")
    monkeypatch.undo()
    assert build_deck([missing], quality="low", output=tmp_path / "d.html", build_dir=tmp_path) == 1
    assert "scenes/no_such_module.py" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------- as_slides
def test_as_slides_makes_a_story_scene_that_is_a_slide():
    from manim_slides import Slide

    cls = as_slides(TinyStory)
    assert issubclass(cls, TinyStory) and issubclass(cls, StoryScene) and issubclass(cls, Slide)
    assert cls.__name__ == "TinyStory" and cls.steps == TinyStory.steps
    assert as_slides(cls) is cls
    lecturer = as_slides(LecturerTiny, output_folder="elsewhere")
    assert lecturer.sides == 5 and lecturer.slides_output_folder == "elsewhere"
    assert as_slides(lecturer, output_folder="other").slides_output_folder == "other"
    # the scene's own begin_step runs before (and inside) the slide break
    mro = [k.__name__ for k in cls.__mro__]
    assert mro.index("StoryScene") < mro.index("Slide") < mro.index("Scene")
    with pytest.raises(TypeError, match="StoryScene"):
        as_slides(Slide)


def test_one_slide_per_step_with_narration_as_notes(deck):
    folder = deck.build_dir / "slides" / "low"
    for name, expected in SLIDES_PER_SCENE.items():
        config = json.loads((folder / f"{name}.json").read_text())
        assert len(config["slides"]) == expected, name
        assert config["resolution"] == [854, 480]
        for slide in config["slides"]:
            assert Path(slide["file"]).is_file()
    notes = [s["notes"] for s in json.loads((folder / "LecturerTiny.json").read_text())["slides"]]
    assert notes == ["A circle.", "A square.", "A pentagon."]


# ------------------------------------------------------------------------------------------- the HTML file
def test_deck_is_one_self_contained_file(deck):
    assert [p.name for p in deck.path.parent.iterdir()] == ["slides.html"]  # no assets folder, no temp file
    assert deck.path.stat().st_mode & 0o044 == 0o044  # readable by others: a file to share
    text = deck.path.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    linked = [t.get("src") for t in soup.find_all(["script", "img", "video", "source", "audio", "iframe"])]
    linked += [t.get("href") for t in soup.find_all("link")]
    assert [u for u in linked if u] == [], "the deck links external files"
    backgrounds = [s["data-background-video"] for s in soup.find_all("section", attrs={"data-background-video": True})]
    assert len(backgrounds) == TOTAL_SLIDES
    assert all(b.startswith("data:video/mp4;base64,") for b in backgrounds)
    styles = " ".join(s.get_text() for s in soup.find_all("style"))
    assert not re.search(r"""url\(\s*['"]?(https?:)?//""", styles), "a style loads something from the network"
    assert soup.find("script", string=re.compile(r"Reveal\.initialize")) is not None


def test_rebuild_reuses_scenes_and_a_failed_scene_keeps_the_deck(deck, capsys, monkeypatch):
    monkeypatch.setenv("LLMFACTS_RENDER_DIR", str(deck.renders))
    before = deck.path.read_bytes()
    assert build_deck([TINY, LECTURER, OWN], quality="low", jobs=2, output=deck.path, build_dir=deck.build_dir) == 0
    out = capsys.readouterr().out
    assert out.count("up to date") == 3 and f"({TOTAL_SLIDES} slides from 3 scene(s)" in out
    assert deck.path.read_bytes() == before
    assert build_deck([TINY, BROKEN], quality="low", jobs=2, output=deck.path, build_dir=deck.build_dir) == 1
    err = capsys.readouterr().err
    assert "BrokenStory failed" in err and "broken on purpose" in err
    assert deck.path.read_bytes() == before
    assert [p.name for p in deck.path.parent.iterdir()] == ["slides.html"]


# ------------------------------------------------------------------------------------------- in Chromium
class HeadlessChromium:
    """Debian's Chromium, headless, driven over the DevTools protocol (one page, network switched off)."""

    FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")

    def __init__(self, executable: str, timeout: float = 60.0):
        from websockets.sync.client import connect

        self.timeout = timeout
        self.profile = Path(tempfile.mkdtemp(prefix="llmfacts-chromium-"))
        self.process = subprocess.Popen(
            [executable, *self.FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited: {self.process.stderr.read().decode(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not open its DevTools port")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self._socket_cm = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=timeout)
        self.socket = self._socket_cm.__enter__()
        self._ids = itertools.count(1)
        self.events: list[dict] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        message_id = next(self._ids)
        message = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout
        while True:
            reply = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def page(self, method: str, params: dict | None = None) -> dict:
        return self.send(method, params, session=self.session)

    def evaluate(self, expression: str):
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str, timeout: float | None = None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"timed out waiting for {what}")

    def close(self) -> None:
        try:
            self._socket_cm.__exit__(None, None, None)
        finally:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture()
def chromium():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing; 'make test' installs it (scripts/bootstrap.sh)")
    browser = HeadlessChromium(CHROMIUM)
    try:
        yield browser
    finally:
        browser.close()


PRESENT_VIDEO = "document.querySelector('.reveal .backgrounds .slide-background.present video')"


def on_present_video(expression: str) -> str:
    """JavaScript: ``expression`` about ``v``, the current slide's background video (false while there is none)."""
    return f"(() => {{ const v = {PRESENT_VIDEO}; return !!v && ({expression}); }})()"


def test_deck_plays_offline_in_headless_chromium(deck, chromium):
    chromium.page("Network.enable")
    chromium.page("Network.emulateNetworkConditions",
                  {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    chromium.page("Runtime.enable")
    chromium.page("Page.enable")
    chromium.page("Page.navigate", {"url": deck.path.as_uri()})
    chromium.wait_for("typeof Reveal !== 'undefined' && Reveal.isReady()", "reveal.js to start")
    assert chromium.evaluate("Reveal.getTotalSlides()") == TOTAL_SLIDES

    # The first slide's video plays by itself (it is muted, so autoplay is allowed).
    first = chromium.wait_for(on_present_video("v.readyState >= 2 && v.currentTime > 0 && [v.currentTime, v.duration]"),
                              "the first video to play")
    later = chromium.wait_for(on_present_video(f"v.currentTime > {first[0]} + 0.2 && v.currentTime"),
                              "the first video's time to advance")
    assert later > first[0] and first[1] == pytest.approx(1.0, abs=0.1)  # TinyStory's first step: 1 s
    assert chromium.evaluate(f"{PRESENT_VIDEO}.error") is None

    # Every other slide's video decodes too.
    for index in range(1, TOTAL_SLIDES):
        chromium.evaluate(f"Reveal.slide({index})")
        duration = chromium.wait_for(on_present_video("v.readyState >= 1 && v.duration"), f"slide {index + 1}'s video")
        assert duration > 0.3, index

    requested = [e["params"]["request"]["url"] for e in chromium.events if e.get("method") == "Network.requestWillBeSent"]
    assert requested and all(url.split(":", 1)[0] in ("file", "data", "blob") for url in requested), requested
    failed = [e["params"] for e in chromium.events if e.get("method") == "Network.loadingFailed"]
    assert failed == []
    errors = [e["params"] for e in chromium.events if e.get("method") == "Runtime.exceptionThrown"]
    assert errors == []
