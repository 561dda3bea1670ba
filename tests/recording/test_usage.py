"""How storage use reads on the dashboard (`storage-usage`), and when the rep is warned."""

from __future__ import annotations

from server.history.service import clock_text
from server.recording.store import FINISH_RESERVE, Usage, format_bytes


def test_usage_reads_like_the_contract_example() -> None:
    assert Usage(used=12_300_000, quota=5 * 1000**3).view()["text"] == "12.3 MB / 5 GB"
    assert format_bytes(0) == "0.0 MB"
    assert format_bytes(1_260_000_000) == "1.3 GB"


def test_warned_from_ninety_percent_full_when_no_recording_fits() -> None:
    quota = 10_000_000
    assert Usage(used=8_999_999, quota=quota).warn is False
    assert Usage(used=9_000_000, quota=quota).warn is True
    assert Usage(used=quota - FINISH_RESERVE - 1, quota=quota).view()["full"] is False
    assert Usage(used=quota - FINISH_RESERVE, quota=quota).view()["full"] is True


def test_durations_read_as_clock_times() -> None:
    assert clock_text(29.4) == "0:29"
    assert clock_text(3599.6) == "1:00:00"
    assert clock_text(3725) == "1:02:05"
