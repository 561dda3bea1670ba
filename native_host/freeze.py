"""Build the self-contained host: a one-folder ``mendan-bridge`` made by PyInstaller, no Python
needed on the PC (docs/bridge.md says what differs on Windows and macOS, and what to sign).

    python -m native_host.freeze [--out DIR] [--no-cache]
    python -m native_host.freeze --dist DIR     # what /bridge serves (MENDAN_BRIDGE_DIR)

Builds are cached under ``~/.cache/mendan/bridge/<key>/`` where the key hashes the host's sources,
this Python and the versions of everything frozen with it: a second build of the same sources is
a directory look-up, and a changed source or library builds anew. A build goes to a temporary
folder and is renamed into place, so two test runs building at once never see half a build.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
NAME = "mendan-bridge"
FROZEN_WITH = ("pyinstaller", "pyinstaller-hooks-contrib", "aiortc", "av", "sounddevice", "pywebview",
               "pydantic", "pydantic-core", "cffi")  # fmt: skip
"""Distributions whose version changes what the build contains (part of the cache key)."""
HIDDEN_IMPORTS = ("webview.platforms.gtk",)
"""pywebview picks its GUI backend at run time, out of PyInstaller's sight. Linux: GTK (Debian's
python3-gi and WebKit2GTK); Windows would name webview.platforms.edgechromium, macOS .cocoa."""
EXCLUDES = ("tkinter", "server", "tests", "bench", "IPython", "matplotlib", "PyQt5", "PyQt6", "PySide6",
            "pkg_resources", "setuptools")  # fmt: skip
"""pkg_resources is never imported by the host, but PyInstaller adds its start-up hook when it can
see it: with a new setuptools in the build env it finds Debian's copy (system site-packages),
whose vendored packages Debian removed, and the frozen host died at start ("platformdirs")."""


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mendan" / "bridge"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def cache_key() -> str:
    """sha256 of the host's code and catalogues, this interpreter and the frozen libraries' versions."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version}|{platform.machine()}|{sys.platform}".encode())
    for distribution in FROZEN_WITH:
        digest.update(f"|{distribution}={_version(distribution)}".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def executable(folder: Path) -> Path:
    """The program inside a one-folder build."""
    return folder / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def pyinstaller_args(dist: Path, work: Path) -> list[str]:
    args = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--onedir", "--console",
            "--log-level", "WARN", "--name", NAME, "--distpath", str(dist), "--workpath", str(work),
            "--specpath", str(work), "--paths", str(ROOT),
            "--add-data", f"{PACKAGE / 'locales'}{os.pathsep}native_host/locales",
            "--collect-submodules", "native_host"]  # fmt: skip
    for module in HIDDEN_IMPORTS:
        args += ["--hidden-import", module]
    for module in EXCLUDES:
        args += ["--exclude-module", module]
    return [*args, str(PACKAGE / "frozen.py")]


KEEP_BUILDS = 3
"""Each build is ~330 MB: the cache keeps the ones used last (other worktrees, the previous key)."""


def _prune(root: Path) -> None:
    builds = [path for path in root.iterdir() if path.is_dir() and not path.name.startswith("building-")]
    builds.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in builds[KEEP_BUILDS:]:
        shutil.rmtree(stale, ignore_errors=True)


def build(out: Path | None = None, use_cache: bool = True) -> Path:
    """The one-folder build (from the cache when it holds this key); copied to ``out`` if given."""
    folder = cache_root() / cache_key() / NAME
    if not (use_cache and executable(folder).is_file()):
        folder.parent.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder.parent.parent, prefix="building-") as temp:
            staging = Path(temp)
            log = staging / "pyinstaller.log"
            with log.open("wb") as output:  # PyInstaller talks a lot; only a failure needs it
                args = pyinstaller_args(staging / "dist", staging / "work")
                done = subprocess.run(args, cwd=ROOT, stdout=output, stderr=output)
            if done.returncode != 0:
                tail = log.read_text(errors="replace")[-4000:]
                raise RuntimeError(f"PyInstaller failed ({done.returncode}):\n{tail}")
            built = staging / "dist" / NAME
            folder.parent.mkdir(parents=True, exist_ok=True)
            if folder.exists():
                shutil.rmtree(folder)  # --no-cache, or a half-removed older build
            try:
                built.rename(folder)
            except OSError:  # another run renamed its identical build in first: use that one
                if not executable(folder).is_file():
                    raise
    os.utime(folder.parent)  # used now: pruning keeps the builds used last
    _prune(folder.parent.parent)
    if out is None:
        return folder
    target = out / NAME
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(folder, target, symlinks=True)
    return target


HOST_ARCHIVES = {"linux": "mendan-bridge-linux-x86_64.tar.gz", "win32": "mendan-bridge-windows-x86_64.zip",
                 "darwin": "mendan-bridge-macos.zip"}  # fmt: skip
"""The download names /bridge offers (server/bridge/downloads.py serves exactly these)."""


def dist(directory: Path) -> list[Path]:
    """What /bridge serves (MENDAN_BRIDGE_DIR): this OS's host archive and the extension packages."""
    directory.mkdir(parents=True, exist_ok=True)
    folder = build()
    archive = directory / HOST_ARCHIVES[sys.platform]
    fmt = "gztar" if archive.name.endswith(".tar.gz") else "zip"
    base = str(archive).removesuffix(".tar.gz").removesuffix(".zip")
    shutil.make_archive(base, fmt, root_dir=folder.parent, base_dir=NAME)
    packaged = subprocess.run(
        [sys.executable, str(ROOT / "extension" / "package.py"), str(directory)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return [archive, *(Path(line.removeprefix("wrote ")) for line in packaged.stdout.splitlines())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m native_host.freeze", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="copy the one-folder build here")
    parser.add_argument("--no-cache", action="store_true", help="build even when the cache has this key")
    parser.add_argument("--dist", type=Path, help="write the files /bridge serves (MENDAN_BRIDGE_DIR) here")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.dist:
        for path in dist(args.dist):
            print(f"wrote {path}")
        return 0
    folder = build(args.out, use_cache=not args.no_cache)
    print(f"{executable(folder)} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
