"""What the browser matrix proved in this run: (test engine, feature) -> works or disabled."""

from __future__ import annotations

from compat.matrix import Feature


class Proof:
    """Results recorded by the matrix tests, compared with compat/ at the end of the run."""

    def __init__(self) -> None:
        self.results: dict[tuple[str, Feature], bool] = {}

    def record(self, engine: str, feature: Feature, works: bool) -> None:
        earlier = self.results.get((engine, feature))
        assert earlier is None or earlier == works, f"{engine}/{feature.value}: seen both working and not"
        self.results[(engine, feature)] = works

    def as_json(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for (engine, feature), works in sorted(self.results.items()):
            out.setdefault(engine, {})[feature.value] = "works" if works else "disabled"
        return out
