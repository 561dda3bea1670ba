"""MediaRecorder's WebM has no duration and no cues, so a browser cannot seek in it. Copying its
packets into a new WebM file (no re-encoding) with FFmpeg's muxer, through PyAV, adds both."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import av
import av.error

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Remuxed:
    """The finished file: its size and duration in seconds (0 when nothing could be read)."""

    size: int
    duration: float
    packets: int


def concatenate(parts: Iterable[Path], target: Path) -> None:
    """The chunks in order are one WebM byte stream, exactly as the recorder produced it."""
    with target.open("wb") as out:
        for part in parts:
            with part.open("rb") as chunk:
                while block := chunk.read(1 << 20):
                    out.write(block)


def remux(source: Path, target: Path) -> Remuxed:
    """Copy every audio and video packet of ``source`` into ``target``; a torn tail is dropped.

    A recording whose browser was closed mid-chunk ends in the middle of a cluster: demuxing stops
    at the first unreadable packet and everything before it is kept.
    """
    packets = 0
    end = 0.0
    with av.open(str(source)) as inp, av.open(str(target), "w", format="webm") as out:
        streams = {
            stream.index: out.add_stream_from_template(stream)
            for stream in inp.streams
            if stream.type in ("video", "audio")
        }
        if not streams:
            raise ValueError("no audio or video in the recording")
        try:
            for packet in inp.demux(*[s for s in inp.streams if s.index in streams]):
                if packet.dts is None or packet.size == 0:
                    continue  # the demuxer's end-of-stream marker
                if packet.pts is not None and packet.time_base is not None:
                    end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
                packets += 1
        except (av.error.InvalidDataError, av.error.EOFError, ValueError) as exc:
            log.warning("recording %s ends in a torn packet, kept what came before: %s", source, exc)
    with av.open(str(target)) as check:
        duration = (check.duration or 0) / av.time_base if check.duration else end
    return Remuxed(size=target.stat().st_size, duration=float(duration), packets=packets)
