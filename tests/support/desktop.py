"""A desktop for the native host in tests: a private Xvfb display (its consent window) and a
private PulseAudio with a null sink as the speaker (its remote audio), plus xdotool to answer."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

SINK = "mendan_test"


@contextmanager
def xvfb_display() -> Iterator[str]:
    """A private Xvfb on a free display number (Xvfb picks it and tells us through a pipe)."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=[write_end],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


@contextmanager
def pulse_sink(folder: Path) -> Iterator[dict[str, str]]:
    """A private PulseAudio with one null sink as the default output; yields the clients' env."""
    runtime = folder / "pulse-run"
    runtime.mkdir(parents=True)
    script = folder / "default.pa"
    script.write_text(
        "load-module module-native-protocol-unix\n"
        f"load-module module-null-sink sink_name={SINK}\n"
        f"set-default-sink {SINK}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "HOME": str(folder), "XDG_RUNTIME_DIR": str(runtime)}
    daemon = subprocess.Popen(
        ["pulseaudio", "-n", "-F", str(script), "--daemonize=no", "--exit-idle-time=-1", "--disable-shm=yes"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while not (runtime / "pulse" / "native").exists():
            assert daemon.poll() is None and time.monotonic() < deadline, "pulseaudio did not start"
            time.sleep(0.1)
        yield {"HOME": str(folder), "XDG_RUNTIME_DIR": str(runtime)}
    finally:
        daemon.terminate()
        daemon.wait(10)


@contextmanager
def recording_of_the_speaker(pulse: dict[str, str], rate: int, out: Path) -> Iterator[None]:
    """Record what is played on the null sink (its monitor) to ``out`` as raw s16le mono."""
    with out.open("wb") as sink:
        recorder = subprocess.Popen(
            [
                "parecord",
                "-d",
                f"{SINK}.monitor",
                "--raw",
                "--format=s16le",
                f"--rate={rate}",
                "--channels=1",
            ],
            env={**os.environ, **pulse},
            stdout=sink,
        )
        try:
            yield
        finally:
            recorder.terminate()
            recorder.wait(10)


def xdotool(display: str, *args: str) -> str:
    env = {**os.environ, "DISPLAY": display}
    return subprocess.run(
        ["xdotool", *args], env=env, capture_output=True, text=True, check=False, timeout=10
    ).stdout


def wait_for_window(display: str, name: str, still_waiting: Callable[[], bool], timeout: float = 25.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and still_waiting():
        found = xdotool(display, "search", "--name", name).split()
        if found:
            return found[0]
        time.sleep(0.2)
    windows = xdotool(display, "search", "--name", ".")
    raise AssertionError(
        f"no window named {name!r} appeared (waiting: {still_waiting()}, windows: {windows!r})"
    )


def press_first_button(display: str, window: str, done: Callable[[], bool], timeout: float = 25.0) -> None:
    """Click into the window's page and press its first button (Tab, Return) until ``done()``."""
    deadline = time.monotonic() + timeout
    # Keys reach the page only once it has loaded (about 1 s after the window maps): repeat.
    while not done() and time.monotonic() < deadline:
        xdotool(display, "mousemove", "--window", window, "280", "12")  # the page's top margin
        xdotool(display, "click", "1")  # gives the page keyboard focus without a window manager
        xdotool(display, "key", "Tab")
        xdotool(display, "key", "Return")
        time.sleep(1.5)
