"""Every data-testid the pages use is listed in docs/pages.md, the contract tests and outside QA
drive: a hook added without its line there fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A hook in a template or a page script: the attribute, or setAttribute with one or more literals.
IN_MARKUP = re.compile(r'data-testid="([^"]+)"')
IN_SCRIPT = re.compile(r'setAttribute\("data-testid", ([^;]+)\);')
LITERAL = re.compile(r'"([a-z][a-z0-9]*-[a-z0-9-]+)"')  # hyphenated: not the class names beside them


def used_hooks() -> set[str]:
    hooks: set[str] = set()
    for path in [
        *(ROOT / "web" / "templates").glob("*.html"),
        *(ROOT / "web" / "static" / "js").glob("*.js"),
    ]:
        text = path.read_text(encoding="utf-8")
        hooks.update(IN_MARKUP.findall(text))
        for argument in IN_SCRIPT.findall(text):
            hooks.update(LITERAL.findall(argument))
    return hooks


def documented_hooks() -> set[str]:
    text = (ROOT / "docs" / "pages.md").read_text(encoding="utf-8")
    section = text.split("## Test hooks (`data-testid`)", 1)[1]
    return set(re.findall(r"`([a-z][a-z0-9{}-]*)`", section))


def test_every_hook_is_documented() -> None:
    documented = documented_hooks()
    missing = []
    for hook in sorted(used_hooks()):
        # A template's {{ … }} stands for a value: any documented hook of that shape will do.
        pattern = re.compile(re.sub(r"\\\{\\\{.*?\\\}\\\}", "[a-z{}-]+", re.escape(hook)) + "$")
        if not any(pattern.match(name) for name in documented):
            missing.append(hook)
    assert len(used_hooks()) > 100 and missing == []
