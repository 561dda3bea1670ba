"""Remote audio really plays: the host's speaker output lands in a private PulseAudio null sink,
recorded from its monitor while a real call runs. Needs Debian's pulseaudio, pulseaudio-utils,
libasound2-plugins and libportaudio2."""

from __future__ import annotations

import array
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from native_host.synthetic import SAMPLE_RATE, TONE_HZ
from tests.native_host.test_call import _call
from tests.support.aio import run
from tests.support.bridge_host import write_config
from tests.support.desktop import pulse_sink, recording_of_the_speaker


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[dict[str, str]]:
    with pulse_sink(tmp_path) as env:
        yield env


def _zero_crossings_per_second(samples: array.array[int]) -> float:
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    return crossings * SAMPLE_RATE / len(samples)


def test_remote_audio_plays_on_the_default_output(tmp_path: Path, pulse: dict[str, str]) -> None:
    write_config(tmp_path)
    recording = tmp_path / "monitor.raw"
    with recording_of_the_speaker(pulse, SAMPLE_RATE, recording):
        result = run(_call(tmp_path, host_initiates=True, env=pulse))
    assert result.levels and max(result.levels) > 0.1
    samples = array.array("h", recording.read_bytes()[: recording.stat().st_size // 2 * 2])
    loud = [s for s in samples if abs(s) > 3000]
    print(f"recorded {len(samples) / SAMPLE_RATE:.1f}s, {len(loud) / SAMPLE_RATE:.2f}s of it loud")
    assert len(loud) > 0.05 * SAMPLE_RATE, "the remote's tone reached the speaker"
    blocks = [samples[i : i + 960] for i in range(0, len(samples) - 960, 960)]  # 20 ms each
    voiced = [max(map(abs, b)) > 3000 for b in blocks]
    first, last = voiced.index(True), len(voiced) - 1 - voiced[::-1].index(True)
    gaps = voiced[first:last].count(False)
    print(f"20 ms blocks from first to last sound: {last - first}, silent among them: {gaps}")
    print(f"load average {os.getloadavg()[0]:.1f}")
    longest, run_start, best = 0, first, first
    for i in range(first, last + 1):
        if not voiced[i]:
            run_start = i + 1
        elif i - run_start + 1 > longest:
            longest, best = i - run_start + 1, run_start
    tone = array.array("h", b"".join(b.tobytes() for b in blocks[best : best + longest]))
    assert longest >= 5, "at least 100 ms of uninterrupted sound"
    assert abs(_zero_crossings_per_second(tone) - 2 * TONE_HZ) < 0.1 * 2 * TONE_HZ, (
        "and it is the 440 Hz tone"
    )
    # Gaps are a figure, not a check: on a machine this loaded the sender itself stalls.
    assert "no audio output" not in result.stderr, result.stderr
