#!/usr/bin/env python3
"""Benchmark: how fast the voices synthesise narration, as a real-time factor (seconds of work per second
of speech; below 1 is faster than the speech lasts).

Synthesises a few of the video's kinds of sentences with each voice, bypassing the cache (every run
synthesises), on one thread. Reports the one-off model load, then per voice the seconds of speech, the
wall-clock and CPU seconds of synthesis and their ratios. Last line, for quoting:

    piper_rtf=<wall> piper_cpu_rtf=<cpu> espeak_rtf=<wall> espeak_cpu_rtf=<cpu> load_s=<s>

espeak-ng runs in a child process, so its CPU time is counted from the children's times.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llmfacts.speech_text import spoken_form  # noqa: E402
from llmfacts.voice import EspeakVoice, PiperVoice  # noqa: E402

SENTENCES = (
    "Give a language model the words Michael Jordan plays the sport of, and ask it for the next word.",
    "Row 0 of W↑ asks a question: is the first name Michael here? When the answer is yes, the neuron fires.",
    "In GPT-3 each vector has 12,288 numbers, and the block has 49,152 neurons.",
    "Allow ±1° around 90° and, in 100 dimensions, millions of directions fit.",
    "So where, among all the numbers inside the network, could a fact like this live?",
)


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(voice, repeats: int) -> tuple[float, float, float]:
    """(seconds of speech, wall seconds, CPU seconds) of synthesising every sentence ``repeats`` times."""
    speech = wall = cpu = 0.0
    for _ in range(repeats):
        for sentence in SENTENCES:
            said = spoken_form(sentence)
            w0, c0 = time.perf_counter(), cpu_seconds()
            samples, rate, _ = voice.synthesize(said)
            wall += time.perf_counter() - w0
            cpu += cpu_seconds() - c0
            speech += len(samples) / rate
    return speech, wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=1, help="times each sentence is synthesised")
    args = parser.parse_args()
    os.environ.setdefault("LLMFACTS_VOICE_THREADS", "1")
    print(f"{len(SENTENCES)} sentences x {args.repeats}; one thread; cache bypassed; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    piper = PiperVoice()
    w0, c0 = time.perf_counter(), cpu_seconds()
    piper.engine()
    load_wall, load_cpu = time.perf_counter() - w0, cpu_seconds() - c0
    print(f"piper model load: {load_wall:.2f} s wall, {load_cpu:.2f} s CPU (once per process, only on a cache miss)")
    results = {}
    print(f"{'voice':<8}{'speech s':>10}{'wall s':>9}{'cpu s':>8}{'RTF wall':>10}{'RTF cpu':>9}")
    for name, voice in (("piper", piper), ("espeak", EspeakVoice())):
        speech, wall, cpu = measure(voice, args.repeats)
        results[name] = (wall / speech, cpu / speech)
        print(f"{name:<8}{speech:>10.1f}{wall:>9.2f}{cpu:>8.2f}{wall / speech:>10.3f}{cpu / speech:>9.3f}")
    print(f"piper_rtf={results['piper'][0]:.3f} piper_cpu_rtf={results['piper'][1]:.3f} "
          f"espeak_rtf={results['espeak'][0]:.4f} espeak_cpu_rtf={results['espeak'][1]:.4f} load_s={load_wall:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
