"""/api/docs describes exactly the /api/v1 routes the application serves, method by method."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Route

from server.app import create_app
from server.integrations.openapi import describe
from server.settings import Settings


def served(tmp_path: Path) -> set[tuple[str, str]]:
    app = create_app(Settings.from_env({}, data_dir=str(tmp_path)))
    return {
        (route.path, method.lower())
        for route in app.routes
        if isinstance(route, Route) and route.path.startswith("/api/v1/")
        for method in route.methods or ()
        if method != "HEAD"
    }


def test_every_documented_operation_is_served_and_every_served_one_documented(tmp_path: Path) -> None:
    documented = {(path, method) for path, operations in describe()["paths"].items() for method in operations}
    assert documented == served(tmp_path)
    assert len(documented) == 5


def test_every_reference_resolves() -> None:
    description = describe()
    schemas = description["components"]["schemas"]

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [ref for value in node.values() for ref in refs(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in refs(value)]
        return []

    names = {ref.removeprefix("#/components/schemas/") for ref in refs(description)}
    assert names and names <= set(schemas)
