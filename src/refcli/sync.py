"""Files kept in step with the library: a thesis's ``.bib`` that follows every change.

``refcli sync add thesis.bib --format biblatex --cited-in thesis.aux`` registers an
export; after every save of the library (``add``, ``edit``, ``tag``, ``remove``,
``undo``, ``import`` …: the command line registers ``after_save`` as the store's
after-save hook, ``refcli.hooks``, which runs still under the library lock) each registered file is written again, atomically,
and only when its text changes, so LaTeX editors and ``latexmk`` do not see a
change that is none.

Registrations belong to the library they follow, so they live beside it in
``.<library file>.sync.json`` (a lab library shared in git keeps its own), each with
an absolute path, a format and what to export: the whole library, a search
(``--query``) or what manuscripts cite (``--cited-in``).
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from refcli.errors import RefcliError, UsageError

FORMATS = {"bibtex": "bibtex", "bib": "bibtex", "biblatex": "biblatex", "csl-json": "csljson",
           "csljson": "csljson", "json": "csljson", "ris": "ris"}


def format_name(fmt: str) -> str:
    """The writer's name for a format as users spell it (``csl-json`` → ``csljson``)."""
    name = FORMATS.get(fmt.lower())
    if name is None:
        raise UsageError(f"unknown format '{fmt}': use bibtex, biblatex, csl-json or ris")
    return name


@dataclass
class Target:
    path: str
    format: str = "bibtex"
    cited_in: list[str] = field(default_factory=list)
    query: str | None = None

    def describe(self) -> str:
        what = (f"cited in {', '.join(self.cited_in)}" if self.cited_in
                else f"matching {self.query}" if self.query else "the whole library")
        return f"{self.path} ({self.format}, {what})"


@dataclass
class Outcome:
    target: Target
    status: str  # "written", "unchanged" or "failed"
    count: int = 0
    message: str = ""
    missing: list[str] = field(default_factory=list)


def registry_path(library: Path) -> Path:
    return library.parent / f".{library.name}.sync.json"


def load(library: Path) -> list[Target]:
    import orjson

    try:
        data = orjson.loads(registry_path(library).read_bytes())
    except FileNotFoundError:
        return []
    except (OSError, orjson.JSONDecodeError) as exc:
        raise UsageError(f"cannot read the sync registrations ({exc})", str(registry_path(library))) from None
    if not isinstance(data, list):
        raise UsageError("sync registrations are not a JSON list", str(registry_path(library)))
    targets = []
    for entry in data:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            targets.append(Target(entry["path"], str(entry.get("format") or "bibtex"),
                                  [str(p) for p in entry.get("cited_in") or []],
                                  entry.get("query") if isinstance(entry.get("query"), str) else None))
    return targets


def _save(library: Path, targets: list[Target]) -> None:
    import orjson

    from refcli import settings

    data = orjson.dumps([asdict(t) for t in targets], option=orjson.OPT_INDENT_2) + b"\n"
    try:
        settings.write_atomic(registry_path(library), data, durable=True)
    except OSError as exc:
        raise UsageError(f"cannot write the sync registrations ({exc.strerror})",
                         str(registry_path(library))) from None


def register(library: Path, output: Path, fmt: str, cited_in: list[Path], query: str | None) -> Target:
    """Add (or replace) the registration for *output*; the file is written at once."""
    from refcli import store

    format_name(fmt)
    if cited_in and query:
        raise UsageError("give --cited-in or --query, not both")
    target = Target(str(output.expanduser().resolve()), fmt.lower(),
                    [str(p.expanduser().resolve()) for p in cited_in], query)
    if Path(target.path) == library.resolve():
        raise UsageError("the library itself cannot be a sync target", target.path)
    with store.locked(library):
        targets = [t for t in load(library) if t.path != target.path] + [target]
        _save(library, targets)
    return target


def unregister(library: Path, output: Path) -> Target:
    from refcli import store
    from refcli.errors import NotFoundError

    wanted = str(output.expanduser().resolve())
    with store.locked(library):
        targets = load(library)
        kept = [t for t in targets if t.path != wanted]
        if len(kept) == len(targets):
            raise NotFoundError(f"no sync registration for {wanted} (refcli sync lists them)")
        _save(library, kept)
    return next(t for t in targets if t.path == wanted)


def render(library: Path, target: Target) -> tuple[str, int, list[str]]:
    """(text, number of works, keys cited but missing) of one target, from the library now."""
    from refcli.export import export_items, export_library

    fmt = format_name(target.format)
    if target.cited_in:
        from refcli.selection import select_cited

        chosen = select_cited(library, [Path(p) for p in target.cited_in])
        return (export_items(chosen.items, fmt, Path(target.path)), len(chosen.items),
                [k for k, _ in chosen.missing])
    if target.query:
        from refcli import index, search

        where, params = search.to_sql(search.parse_query(target.query.split()))
        with index.fresh(library) as idx:
            items = idx.query(where, params)
        return export_items(items, fmt, Path(target.path)), len(items), []

    text, count = export_library(library, fmt)
    return text, count, []


def write_target(library: Path, target: Target) -> Outcome:
    """Write one target if its text changed; failures are reported, never raised."""
    from refcli import settings

    try:
        text, count, missing = render(library, target)
        data = text.encode("utf-8")
        path = Path(target.path)
        try:
            if path.read_bytes() == data:
                return Outcome(target, "unchanged", count, missing=missing)
        except OSError:
            pass
        settings.write_atomic(path, data, durable=True)
        return Outcome(target, "written", count, missing=missing)
    except RefcliError as exc:
        return Outcome(target, "failed", message=str(exc))
    except OSError as exc:
        return Outcome(target, "failed", message=f"{target.path}: {exc.strerror or exc}")


def write_all(library: Path) -> list[Outcome]:
    return [write_target(library, t) for t in load(library)]


def after_save(library: Path) -> None:
    """The store's hook: rewrite every registered file after a save (nothing to do, and
    only a failed ``stat``, when none is registered). A target that cannot be written
    is one line on stderr; the library change itself has succeeded."""
    if not registry_path(library).exists():
        return
    try:
        outcomes = write_all(library)
    except RefcliError as exc:
        outcomes = [Outcome(Target(str(registry_path(library))), "failed", message=str(exc))]
    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"refcli: warning: sync {outcome.target.path} not written: {outcome.message}",
                  file=sys.stderr)


def as_json(outcome: Outcome) -> dict[str, Any]:
    return {**asdict(outcome.target), "status": outcome.status, "works": outcome.count,
            "missing": outcome.missing, "message": outcome.message}
