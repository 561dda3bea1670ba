"""Entry point the browser starts: ``python -m native_host <caller> [<extension id>]``."""

from __future__ import annotations

import asyncio
import logging
import sys
from logging.handlers import RotatingFileHandler

from native_host.caller import caller_allowed, caller_extension
from native_host.config import ConfigStore, config_dir
from native_host.consent import window_prompt
from native_host.framing import FrameReader, FrameWriter
from native_host.host import Host, serve
from native_host.launch import is_frozen
from native_host.stdio import FdWriter, stdin_reader, take_stdout

log = logging.getLogger("native_host")


async def run(args: list[str], frames_fd: int) -> int:
    store = ConfigStore()
    caller_ok = caller_allowed(args, store.load().allowed_extensions)
    if not caller_ok:
        log.warning("refusing caller %r (not in %s)", caller_extension(args), store.path)
    writer = FrameWriter(FdWriter(frames_fd))
    host = Host(writer.send, store, window_prompt)
    return await serve(FrameReader(stdin_reader(asyncio.get_running_loop())), writer, host, caller_ok)


LOG_FORMAT = "%(asctime)s mendan-bridge %(process)d %(name)s %(levelname)s %(message)s"
LOG_FILE_BYTES = 1_000_000


def _configure_logging() -> None:
    """stderr (Chrome shows it with --enable-logging) and ``host.log`` beside config.json, where a
    user or their IT can find it; never stdout, which belongs to the browser."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    directory = config_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handlers.append(RotatingFileHandler(directory / "host.log", maxBytes=LOG_FILE_BYTES, backupCount=1))
    except OSError as exc:  # a read-only profile: stderr only
        print(f"mendan-bridge: no log file in {directory}: {exc}", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers)


def main(argv: list[str] | None = None) -> int:
    _configure_logging()
    frames_fd = take_stdout()
    args = sys.argv[1:] if argv is None else argv
    log.info("started by %r (%s)", args, "frozen build" if is_frozen() else sys.executable)
    return asyncio.run(run(args, frames_fd))


if __name__ == "__main__":
    sys.exit(main())
