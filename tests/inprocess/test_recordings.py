"""RecordingStore through the HTTP API in process: a writer that vanished is finished from what
arrived once its idle time has passed on the injected clock."""

from __future__ import annotations

from tests.support.inprocess import InProcessApp, InProcessRep
from tests.support.recordings import live_webm, probe, split


def test_a_vanished_writer_is_finished_from_what_arrived_when_its_idle_time_is_up(
    app: InProcessApp, rep: InProcessRep
) -> None:
    headers = {"X-CSRF-Token": rep.csrf}
    number = app.client.post("/api/numbers").json()["number"]
    meeting_id = rep.claim(number, recording=True).json()["meeting_id"]
    started = rep.http.post("/api/recordings", json={"meeting_id": meeting_id}, headers=headers)
    assert started.status_code == 201, started.text
    recording_id = started.json()["recording"]["id"]
    chunks = split(live_webm(6), 6)
    for seq in range(4):  # then the browser is gone: no more chunks, no finish
        stored = rep.http.put(
            f"/api/recordings/{recording_id}/chunks/{seq}", content=chunks[seq], headers=headers
        )
        assert stored.status_code == 200, stored.text

    app.sweep()  # not idle long enough yet
    assert rep.http.get(f"/api/recordings/{recording_id}").json()["recording"]["state"] == "recording"
    app.clock.advance(app.settings.recording_idle_timeout + 1)
    app.sweep()
    recording = rep.http.get(f"/api/recordings/{recording_id}").json()["recording"]
    assert recording["state"] == "ready"
    duration, frames = probe(rep.http.get(recording["url"]).content)
    assert 2 <= duration < 6 and frames > 20
    late = rep.http.put(f"/api/recordings/{recording_id}/chunks/4", content=chunks[4], headers=headers)
    assert late.json()["error"]["code"] == "recording_closed"
