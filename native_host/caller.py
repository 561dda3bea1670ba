"""Who started the host: the browser passes the calling extension on the command line.

Chrome, Chromium and Edge pass ``chrome-extension://<id>/`` as ``argv[1]`` (and, on Windows, a
``--parent-window=`` argument after it); Firefox passes the path of the host manifest as
``argv[1]`` and the add-on id as ``argv[2]``.
"""

from __future__ import annotations

from collections.abc import Sequence

_CHROME_PREFIX = "chrome-extension://"


def caller_extension(args: Sequence[str]) -> str | None:
    """The id of the extension that started the host, or None when the arguments name none."""
    if not args:
        return None
    first = args[0]
    if first.startswith(_CHROME_PREFIX):
        extension_id = first[len(_CHROME_PREFIX) :].rstrip("/")
        return extension_id or None
    if len(args) >= 2 and first.endswith(".json") and args[1]:
        return args[1]
    return None


def caller_allowed(args: Sequence[str], allowed: Sequence[str]) -> bool:
    """True when the calling extension is one ``mendan-bridge install`` registered."""
    extension_id = caller_extension(args)
    return extension_id is not None and extension_id in allowed
