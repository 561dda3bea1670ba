"""A real HTTP webhook receiver: the example from docs/integrations.md, run as written, on a free
port, whose first tries can be scripted to fail (a status code) or to hang (no answer)."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "integrations.md"
HANG = "hang"
"""Script step: read the request and answer nothing until the receiver stops (the sender times out)."""
TRICKLE = "trickle"
"""Script step: answer 200 and then one byte at a time, never ending, until the receiver stops."""


def example_receiver() -> dict[str, Any]:
    """The namespace of the doc's example receiver (its Python block that defines verify_signature)."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    code = next(block for block in blocks if "def verify_signature" in block)
    namespace: dict[str, Any] = {"__name__": "mendan_example_receiver"}
    exec(compile(code, str(DOC), "exec"), namespace)  # the doc's code, so it cannot drift
    return namespace


@dataclass(frozen=True)
class Try:
    """One request that reached the receiver, and what it was answered."""

    headers: dict[str, str]
    body: bytes
    answer: int | str


class ScriptedReceiver:
    """The doc's receiver; ``handled`` holds what its ``handle`` got (signature checked, no repeats)."""

    def __init__(self, script: list[int | str] | None = None) -> None:
        self.example = example_receiver()
        self.handled: list[dict[str, Any]] = []
        self.example["handle"] = self.handled.append
        self.tries: list[Try] = []
        self.script = list(script or [])
        self._release = threading.Event()
        receiver = self

        class Scripted(self.example["Receiver"]):  # type: ignore[misc,name-defined]
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                step: int | str = receiver.script.pop(0) if receiver.script else "example"
                receiver.tries.append(Try(dict(self.headers.items()), body, step))
                if step == HANG:
                    receiver._release.wait()
                    return
                if step == TRICKLE:
                    self.send_response(200)
                    self.end_headers()
                    try:
                        while not receiver._release.wait(0.2):
                            self.wfile.write(b".")
                            self.wfile.flush()
                    except OSError:
                        pass  # the sender gave up and closed the connection: what the test wants
                    return
                if isinstance(step, int):
                    self.send_response(step)
                    self.end_headers()
                    self.wfile.write(b"scripted failure")
                    return
                self.rfile = io.BytesIO(body)  # the example reads the body itself
                super().do_POST()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
        self.http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/hooks/mendan"
        self._thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def secret(self) -> str:
        return str(self.example["SECRET"])

    @secret.setter
    def secret(self, value: str) -> None:
        self.example["SECRET"] = value

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        check = self.example["verify_signature"]
        return bool(check(self.secret, headers["X-Mendan-Timestamp"], body, headers["X-Mendan-Signature"]))

    def stop(self) -> None:
        self._release.set()
        self.http.shutdown()
        self.http.server_close()
