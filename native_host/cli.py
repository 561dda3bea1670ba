"""``mendan-bridge``: install, uninstall, allow, doctor (the command line of CONTRACT.md)."""

from __future__ import annotations

import argparse
import sys

from native_host import doctor
from native_host.catalogue import text
from native_host.config import ConfigStore, Consent
from native_host.install import Browser, install, uninstall
from native_host.parts import needed_parts


def _browsers(value: str) -> list[Browser]:
    return list(Browser) if value == "all" else [Browser(value)]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mendan-bridge", description="The Mendan bridge's native messaging host."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    choices = [b.value for b in Browser] + ["all"]
    add = commands.add_parser("install", help="register the host for this user's browsers")
    add.add_argument("--browser", choices=choices, default="all")
    add.add_argument(
        "--extension-id",
        action="append",
        default=[],
        help="extension allowed to start the host (repeatable): 32 letters a-p for Chrome/Edge, "
        "an add-on id for Firefox",
    )
    add.add_argument(
        "--origin", action="append", default=[], help="meeting origin the host serves (repeatable)"
    )
    remove = commands.add_parser("uninstall", help="remove the registration (all browsers: config too)")
    remove.add_argument("--browser", choices=choices, default="all")
    allow = commands.add_parser("allow", help="pre-approve camera and mic for a meeting origin")
    allow.add_argument("origin")
    check = commands.add_parser("doctor", help="check, item by item, what the bridge needs on this PC")
    check.add_argument("--lang", choices=["ja", "en"], help="language of the report (default: config.json's)")
    return parser


def _refuse_without_parts(language: str) -> bool:
    """Print what is missing and return True when the host could not start if registered now."""
    missing = [part for part in needed_parts() if not part.ok]
    if missing:
        print(text("install.refused", language), file=sys.stderr)
        print(doctor.render(missing, language), file=sys.stderr)
    return bool(missing)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    store = ConfigStore()
    if args.command == "doctor":
        return doctor.run(args.lang, store=store)
    if args.command == "install":
        if _refuse_without_parts(store.load().language):
            return 3
        for path in install(_browsers(args.browser), args.extension_id, args.origin, store=store):
            print(f"wrote {path}")
    elif args.command == "uninstall":
        for path in uninstall(_browsers(args.browser), store=store):
            print(f"removed {path}")
    elif args.command == "allow":
        try:
            origin = store.add_origin(args.origin)
        except ValueError as exc:
            print(f"mendan-bridge: {exc}", file=sys.stderr)
            return 2
        store.remember_consent(origin, Consent.ALLOW)
        print(f"camera and mic allowed for {origin} ({store.path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
