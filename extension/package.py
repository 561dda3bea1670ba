"""Build the installable extension packages: a zip for Chrome/Edge and an .xpi for Firefox.

    python extension/package.py [OUT_DIR]

Both share content.js, background.js and _locales; only the manifest differs.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = ("content.js", "background.js")


def build(out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    packages = []
    for name, manifest in (
        ("mendan-bridge-chromium.zip", "manifest.json"),
        ("mendan-bridge-firefox.xpi", "manifest.firefox.json"),
    ):
        target = out / name
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
            package.write(HERE / manifest, "manifest.json")
            for file in SHARED:
                package.write(HERE / file, file)
            for locale in sorted((HERE / "_locales").glob("*/messages.json")):
                package.write(locale, str(locale.relative_to(HERE)))
        packages.append(target)
    return packages[0], packages[1]


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "dist"):
        print(f"wrote {path}")
