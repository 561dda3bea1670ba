"""Remote participants for ``bench.bridge`` in their own process, so their VP8 work does not
delay the "page" reading the host's frames. JSON lines on stdin/stdout:
``{"offer": {...}, "peer_id": ...}`` -> ``{"peer_id": ..., "answer": {...}}``;
``{"count": true}`` -> ``{"frames": {peer_id: video frames decoded}}``; EOF ends it."""

from __future__ import annotations

import asyncio
import json
import sys

from tests.support.remote_peer import RemoteParticipant


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    peers: dict[str, RemoteParticipant] = {}
    try:
        while line := await reader.readline():
            command = json.loads(line)
            if "offer" in command:
                remote = peers[command["peer_id"]] = RemoteParticipant()
                answer = await remote.accept(command["offer"])
                reply: dict[str, object] = {"peer_id": command["peer_id"], "answer": answer}
            else:
                reply = {"frames": {p: r.video_frames for p, r in peers.items()}}
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
    finally:
        for remote in peers.values():
            await remote.close()


if __name__ == "__main__":
    asyncio.run(main())
