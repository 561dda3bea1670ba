"""One Chromium process per simulated person, so each person's CPU can be read from /proc; and the
machine's load average, printed beside every figure (the machine is shared)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright

from bench.pageclock import RECORD_PEER_CONNECTIONS
from tests.support.browser import launch_options

TICKS = os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def tree_cpu_seconds(root_pid: int) -> float:
    """User+system CPU of a process and all its descendants (a Chromium is many processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack = 0.0, [root_pid]
    while stack:
        pid = stack.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        except OSError:
            pass
        stack.extend(children.get(pid, []))
    return total


def _pid_with_marker(marker: str) -> int:
    """The browser process started with ``marker`` among its arguments (Chromium ignores it)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker.encode() in arguments and not any(a.startswith(b"--type=") for a in arguments):
                return int(entry.name)
    raise RuntimeError(f"no browser process with {marker}")


class People:
    """``count`` Chromium browsers with the tests' flags, one page each; closed with ``close()``."""

    def __init__(
        self, playwright: Playwright, home: Path, count: int, extra_args: list[str] | None = None
    ) -> None:
        self.browsers: list[Browser] = []
        self.pids: list[int] = []
        self.pages: list[Page] = []
        try:
            for person in range(count):
                options = launch_options(home)
                marker = f"--mendan-bench={os.getpid()}-{person}-{time.monotonic_ns()}"
                options["args"] = [*options["args"], *(extra_args or []), marker]  # type: ignore[misc]
                browser = playwright.chromium.launch(**options)  # type: ignore[arg-type]
                self.browsers.append(browser)
                self.pids.append(_pid_with_marker(marker))
                context = browser.new_context(permissions=["camera", "microphone"])
                context.add_init_script(RECORD_PEER_CONNECTIONS)
                self.pages.append(context.new_page())
        except BaseException:
            self.close()
            raise

    def cpu_percent(self, window: float = 10.0, extra_pids: tuple[int, ...] = ()) -> list[float]:
        """Each browser's CPU (then each of ``extra_pids``) over ``window`` s, in % of one core."""
        pids = [*self.pids, *extra_pids]
        before = [tree_cpu_seconds(pid) for pid in pids]
        time.sleep(window)
        return [(tree_cpu_seconds(pid) - b) / window * 100 for pid, b in zip(pids, before, strict=True)]

    def close(self) -> None:
        for browser in self.browsers:
            browser.close()
