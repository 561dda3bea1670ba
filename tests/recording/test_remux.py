"""The remux step alone: a live WebM (no duration, no cues) becomes seekable; a torn tail is dropped."""

from __future__ import annotations

from pathlib import Path

import av

from server.recording.remux import concatenate, remux
from tests.support.recordings import live_webm, probe, split


def test_live_webm_gets_a_duration_and_cues(tmp_path: Path) -> None:
    data = live_webm(6)
    assert probe(data)[0] == 0  # as MediaRecorder writes it: no duration
    parts = []
    for index, chunk in enumerate(split(data, 5)):
        parts.append(tmp_path / f"{index}.webm")
        parts[-1].write_bytes(chunk)
    concatenate(parts, tmp_path / "whole.webm")
    assert (tmp_path / "whole.webm").read_bytes() == data

    result = remux(tmp_path / "whole.webm", tmp_path / "out.webm")
    duration, frames = probe((tmp_path / "out.webm").read_bytes())
    assert 5.8 <= result.duration <= 6.2 and 5.8 <= duration <= 6.2
    assert frames == probe(data)[1]
    with av.open(str(tmp_path / "out.webm")) as container:
        container.seek(3 * av.time_base)  # needs cues
        frame = next(container.decode(video=0))
        assert frame.time is not None and 1.5 <= frame.time <= 3.1


def test_a_torn_tail_is_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    data = live_webm(6)
    (tmp_path / "torn.webm").write_bytes(data[: len(data) * 2 // 3 + 17])  # cut inside a block
    result = remux(tmp_path / "torn.webm", tmp_path / "out.webm")
    duration, frames = probe((tmp_path / "out.webm").read_bytes())
    assert 2.5 <= duration < 6 and result.packets > 0
    assert 0 < frames < probe(data)[1]
