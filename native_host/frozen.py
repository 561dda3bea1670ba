"""The one program of a frozen (PyInstaller) build: ``mendan-bridge install|uninstall|allow|doctor``
for people and IT, the consent window for the host, and otherwise the host the browser starts.

A browser starts a native host with the caller as the first argument (Chrome:
``chrome-extension://ID/``; Firefox: the manifest path and the add-on id), never with one of
the command names, so one executable can be all three without a second file to sign.
"""

from __future__ import annotations

import sys

from native_host.launch import CONSENT_WINDOW_COMMAND

CLI_COMMANDS = frozenset({"install", "uninstall", "allow", "doctor", "-h", "--help"})


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == CONSENT_WINDOW_COMMAND:
        from native_host import consent_window

        return consent_window.main(args[1:])
    if not args or args[0] in CLI_COMMANDS:
        from native_host import cli

        return cli.main(args)
    from native_host import __main__ as host

    return host.main(args)


if __name__ == "__main__":
    sys.exit(main())
