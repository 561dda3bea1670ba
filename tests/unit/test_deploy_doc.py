"""docs/deploy.md quotes the deployment files verbatim: the nginx site the e2e test runs, the systemd
unit and the coturn settings, so the recipe people copy is the one that was tested."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deploy.md"


@pytest.mark.parametrize("name", ["nginx.conf", "mendan.service", "turnserver.conf"])
def test_the_doc_quotes_the_file_verbatim(name: str) -> None:
    quoted = (ROOT / "deploy" / name).read_text(encoding="utf-8").rstrip()
    assert f"\n{quoted}\n```" in DOC.read_text(encoding="utf-8"), (
        f"docs/deploy.md no longer quotes deploy/{name}"
    )


def test_the_readme_links_the_recipe_and_keeps_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/deploy.md)" in readme
    set_up = readme.split("## Set-up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    assert set_up.count("```sh") == 2
