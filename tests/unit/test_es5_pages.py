"""R-8.5: every script a page loads parses as ES5, so legacy browsers can load the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.es5 import es5_violations

SCRIPTS = sorted((Path(__file__).resolve().parents[2] / "web" / "static" / "js").glob("*.js"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_page_script_is_es5(script: Path) -> None:
    assert es5_violations(script.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "const a = 1;",
        "let a = 1;",
        "var f = (x) => x;",
        "var s = `t`;",
        "class A {}",
        "var o = {a};",
        "var o = {f() {}};",
        "for (var x of y) {}",
        "async function f() {}",
        "function* g() {}",
        "var [a, b] = c;",
        "f(...args);",
    ],
)
def test_newer_syntax_is_caught(source: str) -> None:
    assert es5_violations(source), source


def test_plain_es5_passes() -> None:
    assert (
        es5_violations("var a = {b: function () { return [1, 2].map(function (x) { return x; }); }};") == []
    )
