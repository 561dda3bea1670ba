"""Recording chunks over HTTP against a real server: order, replays, vanished writers, quota, isolation."""

from __future__ import annotations

import hashlib
import threading

from tests.support.clients import issue_number
from tests.support.recordings import Recorder, live_webm, probe, split

RESERVE = 256 * 1024  # held per recording until it is finished (server.recording.store.FINISH_RESERVE)


def test_out_of_order_and_replayed_chunks_make_one_seekable_file(server_factory, rep_of):
    server = server_factory()
    server.create_account("tanaka")
    recorder = Recorder(rep_of(server), server)
    data = live_webm(12)
    chunks = split(data, 6)
    recording_id = recorder.started()

    stored = []
    for seq in (3, 0, 5, 1, 1, 4, 0, 2, 3):
        response = recorder.put(recording_id, seq, chunks[seq])
        assert response.status_code == 200, response.text
        stored.append(response.json()["stored"])
    assert stored == [True, True, True, True, False, True, False, True, False]
    assert recorder.state(recording_id)["received"] == [0, 1, 2, 3, 4, 5]
    assert recorder.usage()["used"] == len(data) + RESERVE  # replays took no space

    assert recorder.finish(recording_id, len(chunks)).status_code == 200
    recording = recorder.wait_finished(recording_id)
    assert recording["state"] == "ready"
    assert recording["duration"] >= 11.5
    assert recorder.usage()["used"] == recording["size"]  # the reserve is given back

    played = recorder.http.get(recording["url"])
    assert played.status_code == 200 and played.headers["content-type"] == "video/webm"
    duration, frames = probe(played.content)
    assert duration >= 11.5 and frames == probe(data)[1]
    middle = recorder.http.get(recording["url"], headers={"Range": "bytes=1000-1999"})
    assert middle.status_code == 206 and middle.content == played.content[1000:2000]
    download = recorder.http.get(recording["download_url"])
    assert download.headers["content-disposition"].startswith("attachment;")

    # A replay after the end is refused and changes nothing either.
    late = recorder.put(recording_id, 2, chunks[2])
    assert late.status_code == 409 and late.json()["error"]["code"] == "recording_closed"
    assert recorder.http.get(recording["url"]).content == played.content


def test_a_vanished_writer_is_finished_from_what_arrived(server_factory, rep_of):
    server = server_factory({"MENDAN_RECORDING_IDLE_TIMEOUT": "2"})
    server.create_account("tanaka")
    recorder = Recorder(rep_of(server), server)
    chunks = split(live_webm(12), 6)
    recording_id = recorder.started()
    for seq in range(4):  # then the browser is gone: no more chunks, no finish
        assert recorder.put(recording_id, seq, chunks[seq]).status_code == 200
    # What a reconnecting writer is told: the server holds 0..3, so it sends 4 and 5 only.
    assert recorder.state(recording_id)["received"] == [0, 1, 2, 3]

    recording = recorder.wait_finished(recording_id)
    assert recording["state"] == "ready"
    duration, frames = probe(recorder.http.get(recording["url"]).content)
    assert 4 <= duration < 12 and frames > 40
    assert recorder.put(recording_id, 4, chunks[4]).json()["error"]["code"] == "recording_closed"


def test_a_chunk_over_the_quota_is_refused_whole_and_stored_data_stays_intact(server_factory, rep_of):
    first = live_webm(8)
    quota = len(first) + RESERVE + 100_000
    server = server_factory({"MENDAN_RECORDING_QUOTA_BYTES": str(quota)})
    server.create_account("tanaka")
    rep = rep_of(server)

    earlier = Recorder(rep, server)
    earlier_id = earlier.started()
    for seq, chunk in enumerate(split(first, 4)):
        assert earlier.put(earlier_id, seq, chunk).status_code == 200
    earlier.finish(earlier_id, 4)
    kept = earlier.wait_finished(earlier_id)
    kept_bytes = earlier.http.get(kept["url"]).content

    later = Recorder(rep, server)
    later_id = later.started()
    chunks = split(live_webm(12), 12)
    refused_at = None
    for seq, chunk in enumerate(chunks):
        response = later.put(later_id, seq, chunk)
        if response.status_code != 200:
            assert response.status_code == 507
            assert response.json()["error"]["code"] == "recording_quota_exceeded"
            refused_at = seq
            break
        usage = response.json()["usage"]
        assert usage["used"] <= quota
    assert refused_at is not None and refused_at > 0
    assert later.state(later_id)["received"] == list(range(refused_at))  # nothing of the refused one
    assert later.usage()["warn"] is True
    assert later.finish(later_id, refused_at, "quota").status_code == 200
    finished = later.wait_finished(later_id)
    assert finished["state"] == "ready"
    assert probe(later.http.get(finished["url"]).content)[1] > 0

    again = earlier.http.get(kept["url"]).content
    assert hashlib.sha256(again).digest() == hashlib.sha256(kept_bytes).digest()
    assert probe(again)[1] == probe(first)[1]

    before = earlier.usage()["used"]
    deleted = rep.http.delete(f"/api/recordings/{earlier_id}", headers={"X-CSRF-Token": rep.csrf})
    assert deleted.status_code == 200
    assert deleted.json()["usage"]["used"] == before - kept["size"]
    assert earlier.http.get(kept["url"]).status_code == 404


def test_two_reps_of_one_id_recording_at_once_cannot_pass_the_quota(server_factory, rep_of):
    chunks = split(live_webm(10), 10)
    total = sum(len(c) for c in chunks)
    quota = 2 * RESERVE + int(total * 1.5)  # room for one and a half recordings
    server = server_factory({"MENDAN_RECORDING_QUOTA_BYTES": str(quota)})
    server.create_account("tanaka")
    recorders = [Recorder(rep_of(server), server), Recorder(rep_of(server), server)]
    ids = [recorder.started() for recorder in recorders]
    accepted: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)

    def upload(which: int) -> None:
        barrier.wait()
        for seq, chunk in enumerate(chunks):
            response = recorders[which].put(ids[which], seq, chunk)
            if response.status_code == 200:
                accepted[which].append(len(chunk))
            else:
                assert response.json()["error"]["code"] == "recording_quota_exceeded", response.text
                return

    threads = [threading.Thread(target=upload, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = sum(map(sum, accepted))
    assert stored + 2 * RESERVE <= quota
    assert stored > total  # both went on until the quota, not one alone
    assert recorders[0].usage()["used"] == stored + 2 * RESERVE
    for recorder, recording_id, got in zip(recorders, ids, accepted, strict=True):
        recorder.finish(recording_id, len(got), "quota")
        finished = recorder.wait_finished(recording_id)
        assert finished["state"] == "ready"
        assert probe(recorder.http.get(finished["url"]).content)[1] > 0
    assert recorders[0].usage()["used"] <= quota


def test_another_id_cannot_reach_a_recording(server_factory, rep_of):
    server = server_factory()
    server.create_account("tanaka")
    server.create_account("suzuki")
    owner = Recorder(rep_of(server), server)
    chunk = live_webm(2)
    recording_id = owner.started()
    owner.put(recording_id, 0, chunk)
    owner.finish(recording_id, 1)
    url = owner.wait_finished(recording_id)["url"]

    other = rep_of(server, "suzuki")
    headers = {"X-CSRF-Token": other.csrf}
    assert other.http.get(url).status_code == 404
    assert other.http.get(f"/api/recordings/{recording_id}").status_code == 404
    assert (
        other.http.put(f"/api/recordings/{recording_id}/chunks/1", content=chunk, headers=headers).status_code
        == 404
    )
    assert other.http.delete(f"/api/recordings/{recording_id}", headers=headers).status_code == 404
    taken = other.http.post("/api/recordings", json={"meeting_id": owner.meeting_id}, headers=headers)
    assert taken.status_code == 404
    assert owner.http.get(url).status_code == 200


def test_no_recording_when_the_rep_answered_no(server_factory, rep_of):
    server = server_factory()
    server.create_account("tanaka")
    rep = rep_of(server)
    claimed = rep.claim(issue_number(server)["number"], recording=False)
    response = rep.http.post(
        "/api/recordings",
        json={"meeting_id": claimed.json()["meeting_id"]},
        headers={"X-CSRF-Token": rep.csrf},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "recording_not_allowed"
