"""Commands that change the library: add, remove, tag, edit, update, rename, doctor, undo,
duplicates, merge, unmerge."""

# No "from __future__ import annotations" here: Typer would then resolve every
# command's annotations from strings with get_type_hints at every start-up.
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from refcli.cli.common import _get, _progress, _query, library_path
from refcli.cli.completion import _complete_keys, _complete_tag_changes, _complete_tags
from refcli.cli.output import _count, _error, _field_text, _print_json, _say, _say_styled, _warn
from refcli.errors import RefcliError, UsageError
from refcli.terminal import inert, path_text


def add(
    sources: Annotated[list[str], typer.Argument(
        help="DOIs (any spelling), arXiv ids, ISBNs, pmid:N, PMCIDs, landing-page URLs,"
             " .bib/.ris/CSL-JSON files, or - for standard input.",
        metavar="SOURCE...")],
    tag: Annotated[Optional[list[str]], typer.Option("--tag", "-t", help="Tag every added work (repeatable).", autocompletion=_complete_tags)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what happened as JSON.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Look DOIs up again even when cached.")] = False,
    attach: Annotated[Optional[Path], typer.Option("--attach", "-a", metavar="FILE", help="Keep FILE (a PDF …) with the one work added, or with the work KEY names.")] = None,
) -> None:
    """Add works by DOI, arXiv id, ISBN, PMID, PMCID or URL, or from BibTeX, RIS or CSL-JSON files.

    Identifiers are looked up in their registries (doi.org, the arXiv API, Open
    Library, NCBI PubMed) and cached; a URL's page is read for its meta tags, and
    a DOI found on it is looked up. A preprint and its published version stay two
    works, linked to each other (custom.related).

    A record of a work already in the library (same DOI in any spelling; else the
    same title, authors, year and no conflicting volume, pages or edition) is
    merged into it, losing nothing; one that only may be is added and listed by
    refcli duplicates. A DOI already in the library is looked up again to complete
    the work. Entries that cannot be read are reported (file:line) and the rest is
    added; the exit status is then 65.

    [bold]Examples[/bold]

      refcli add 10.1038/nature14539
      refcli add https://doi.org/10.1109/CVPR.2016.90 --tag thesis
      refcli add arXiv:1706.03762 isbn:9780262035613 pmid:31986264 PMC7159299
      refcli add https://www.nature.com/articles/nature14539
      refcli add zotero-export.bib mendeley.ris
      cat refs.bib | refcli add -
      refcli add --attach paper.pdf lecun2015deep
    """
    from refcli import store
    from refcli.adding import add_batches

    if attach is not None:
        if len(sources) != 1:
            raise UsageError("--attach keeps a file with one work: give one SOURCE or KEY")
        if _attach_to_existing(sources[0], attach):
            return
    batches, problems, failed = _read_sources(sources, use_cache=not no_cache)
    with store.transaction(library_path(), message=f"add {' '.join(map(path_text, sources))[:200]}") as lib:
        results = add_batches(lib, batches, tag or [])
        keys = [o.key for _, report in results for o in report.outcomes]
        if attach is not None and len(keys) == 1:
            _attach(lib, keys[0], attach)
        elif attach is not None and not failed:
            raise UsageError(f"--attach needs exactly one work, and {sources[0]} holds {len(keys)}")
    _report_add(results, problems, failed, as_json)
    if failed:
        raise typer.Exit(max(e.exit_code for e in failed))
    if any(not p.warning for p in problems):  # the good entries are in; the status still says not everything was
        from refcli.errors import InputError

        raise typer.Exit(InputError.exit_code)


def _attach_to_existing(source: str, file: Path) -> bool:
    """``add --attach FILE KEY`` for a work already in the library; False if KEY is none."""
    from refcli import index, store

    if os.path.exists(source):
        return False
    with index.fresh(library_path()) as idx:
        if idx.get(source) is None:
            return False
    with store.transaction(library_path(), message=f"attach {file.name} to {source}") as lib:
        _attach(lib, source, file)
    return True


def _attach(lib: Any, key: str, file: Path) -> None:
    from refcli import attachments

    item = lib.work(key)
    entry = attachments.store_file(library_path(), file)
    if attachments.attach(item, entry):
        _say(f"attached {file.name} to {item['id']} ({entry['path']})")
    else:
        _say(f"{item['id']} already has this file")


def _read_sources(sources: list[str], use_cache: bool) -> tuple[list, list, list[RefcliError]]:
    """Read every source before the library is locked (network and parsing take time)."""
    from refcli.adding import read_source

    batches: list[tuple[str, list[dict]]] = []
    problems: list[Any] = []
    failed: list[RefcliError] = []
    with _progress(len(sources) > 3) as progress:
        task = progress.add_task("reading", total=len(sources)) if progress else None
        for source in sources:
            try:
                name, records, found_problems = read_source(source, library_path(), use_cache)
                batches.append((path_text(name), records))  # stored: a name that is not UTF-8 is escaped
                problems.extend(found_problems)
            except RefcliError as exc:
                failed.append(exc)
            if progress:
                progress.advance(task)
    return batches, problems, failed


# Merges listed by name after an add; a bulk import can merge thousands.
MERGES_SHOWN = 10


def _report_add(results: list, problems: list, failed: list[RefcliError], as_json: bool) -> None:
    if as_json:
        _print_json({
            "added": [o.key for _, r in results for o in r.outcomes if o.status == "added"],
            "merged": [{"from": o.incoming_id, "into": o.key, "fields": o.fields}
                       for _, r in results for o in r.outcomes if o.status == "merged"],
            "unchanged": [o.key for _, r in results for o in r.outcomes if o.status == "unchanged"],
            "possible_duplicates": [{"key": o.key, "of": o.maybe} for _, r in results for o in r.outcomes if o.maybe],
            "related": [{"key": o.key, "to": k, "relation": rel} for _, r in results for o in r.outcomes
                        for k, rel in o.related],
            "problems": [{"where": p.where, "message": p.message, "warning": p.warning} for p in problems],
            "errors": [str(e) for e in failed],
        })
    else:
        for source, report in results:
            _say_styled("[bold]{source}[/bold]: {added} added, {merged} merged, {same} already present",
                        source=source, added=report.count("added"), merged=report.count("merged"),
                        same=report.count("unchanged"))
            merges = [o for o in report.outcomes if o.status == "merged"]
            for o in merges[:MERGES_SHOWN]:
                what = f" ({o.incoming_id})" if o.incoming_id and o.incoming_id != o.key else ""
                _say_styled("  merged{what} into [cyan]{key}[/cyan]", what=what, key=o.key)
            if len(merges) > MERGES_SHOWN:
                _say(f"  … and {len(merges) - MERGES_SHOWN} more merges (--json lists them all)")
            if len(report.outcomes) <= 5:
                for o in report.outcomes:
                    if o.status == "added":
                        _say_styled("  added [cyan]{key}[/cyan]", key=o.key)
            maybe = [o for o in report.outcomes if o.maybe]
            if maybe:
                _say(f"  {_count(len(maybe))} may duplicate works already there: refcli duplicates")
        for problem in problems[:10]:
            _warn(f"{problem.where}: {problem.message}")
        if len(problems) > 10:
            _warn(f"… and {len(problems) - 10} more entries that could not be read")
    for exc in failed:
        _error(exc)


def remove(
    keys: Annotated[list[str], typer.Argument(help="Citation keys or DOIs.", autocompletion=_complete_keys)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove works from the library (refcli undo brings them back).

    Links to them in other works go too: citations (custom.cites), related
    versions, possible duplicates and works marked distinct.

    [bold]Examples[/bold]

      refcli remove smith2020deep
      refcli remove smith2020deep jones2019bayes --yes
    """
    from refcli import store

    with store.transaction(library_path(), message=f"remove {' '.join(keys)[:200]}") as lib:
        found = [lib.work(key) for key in keys]
        if not yes:
            titles = "\n".join(f"  {inert(i['id'])}: {inert(i.get('title', ''))}" for i in found)
            if not sys.stdin.isatty():
                raise UsageError("refusing to remove without --yes when not on a terminal")
            if not typer.confirm(f"Remove {len(found)} work(s)?\n{titles}\n"):
                raise typer.Exit(1)
        for item in found:
            lib.remove(item["id"])  # and every link to it in the other works
    _say(f"removed {', '.join(inert(i['id']) for i in found)}")


def tag(
    key: Annotated[str, typer.Argument(help="Citation key or DOI.", autocompletion=_complete_keys)],
    changes: Annotated[Optional[list[str]], typer.Argument(help="+tag adds, -tag removes.", metavar="[+TAG|-TAG]...", autocompletion=_complete_tag_changes)] = None,
) -> None:
    """Add (+tag) or remove (-tag) tags; with no change, list the work's tags.

    [bold]Examples[/bold]

      refcli tag lecun2015deep +thesis +ch2
      refcli tag lecun2015deep -ch2
    """
    from refcli import store
    from refcli.library import check_tag_changes

    check_tag_changes(changes or [])  # before the lock: a typo waits for nobody
    with store.transaction(library_path(), message=f"tag {key} {' '.join(changes or [])}") as lib:
        item = lib.retag(key, changes or [], store.now_iso())
    print(inert(" ".join((item.get("custom") or {}).get("tags", []))))


def edit(key: Annotated[str, typer.Argument(help="Citation key or DOI.", autocompletion=_complete_keys)]) -> None:
    """Edit a work's CSL-JSON in $EDITOR; the result is checked before it is saved.

    Only the fields you changed are saved, into the work as it is then: a tag or DOI
    another command added meanwhile is kept; a field changed both ways saves nothing.

    [bold]Examples[/bold]

      refcli edit lecun2015deep
      EDITOR="code --wait" refcli edit lecun2015deep
    """
    from refcli import editing, store

    item = _get(key)
    edited = editing.edit_item(item)
    if edited is None:
        _say("no change")
        return
    with store.transaction(library_path(), message=f"edit {item['id']}") as lib:
        editing.save_edit(lib, item, edited)
    _say(f"saved {item['id']}")


def doctor(
    fix: Annotated[bool, typer.Option("--fix", help="Repair what can be repaired (a backup is kept; refcli undo reverts).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check the library: valid JSON, unique keys and DOIs, well-formed fields, dangling links.

    [bold]Examples[/bold]

      refcli doctor
      refcli doctor --fix
    """
    from dataclasses import asdict

    from refcli import doctor as checks
    from refcli import store

    path = library_path()
    # Damaged lines first: until they are repaired no reader can load the library.
    findings = checks.damage(store.read_bytes(path))
    fixed: list[str] = []
    if fix and findings and all(f.fixable for f in findings):
        fixed = checks.repair_damage(path)
    if not findings or fixed:
        loaded = store.load(path).items
        findings += checks.check(loaded) + checks.missing_files(path, loaded)
    if fix and any(f.fixable and f.kind != "damaged-line" for f in findings):
        with store.transaction(path, message="doctor --fix") as lib:
            fixed += checks.fix_library(lib)
    if as_json:
        _print_json({"findings": [asdict(f) for f in findings], "fixed": fixed})
    else:
        for f in findings:
            _say_styled(("[yellow]fixable[/yellow]" if f.fixable else "[red]problem[/red]")
                        + " {kind} {key}: {message}", kind=f.kind, key=f.key or "", message=f.message)
        for line in fixed:
            _say_styled("[green]fixed[/green] {line}", line=line)
        if not findings:
            _say("library is healthy")
    remaining = [f for f in findings if not (fix and f.fixable)]
    if remaining:
        raise typer.Exit(1)


def undo(
    force: Annotated[bool, typer.Option("--force", help="Undo even when the library was changed outside refcli since (that change is dropped too; the current file is kept as a backup).")] = False,
) -> None:
    """Undo the last change refcli made to the library (add, import, edit, tag, remove …).

    A library changed by something else since (a hand edit, git pull) is left as it
    is unless --force.

    [bold]Examples[/bold]

      refcli undo
      refcli undo --force
    """
    from refcli import store

    change = store.undo(library_path(), force=force)
    _say(f"undid: {change}")


def update(
    terms: Annotated[Optional[list[str]], typer.Argument(
        help="Keys, or a search; none: every work with a DOI, arXiv id, PMID or ISBN.",
        autocompletion=_complete_keys)] = None,
    apply_: Annotated[bool, typer.Option("--apply", help="Take the new values (replaced ones are kept in custom.merged).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON.")] = False,
) -> None:
    """Compare works with their registries now (doi.org, arXiv, PubMed, Open Library).

    Shows what differs, field by field; --apply takes it. A replaced value is kept
    in custom.merged, and a field you changed with refcli edit is never overwritten.
    Corrections and retractions the registry records are stored too.

    [bold]Examples[/bold]

      refcli update lecun2015deep
      refcli update tag:thesis --apply
      refcli update --json
    """
    from refcli import store
    from refcli import update as updating

    works = _update_targets(terms or [])
    results = [updating.check(item) for item in works]
    applied: dict[str, list[str]] = {}
    if apply_ and any(r.changes or r.custom for r in results):
        with store.transaction(library_path(), message=f"update {' '.join(terms or [])[:200]}") as lib:
            applied = updating.apply_all(lib, results, store.now_iso())
    if as_json:
        _print_json([{"key": r.key, "identifier": r.identifier, "error": r.error, "applied": applied.get(r.key, []),
                      "changes": [{"field": c.field, "old": c.old, "new": c.new, "edited_by_hand": c.by_hand}
                                  for c in r.changes], **r.custom} for r in results])
    else:
        for r in results:
            if r.error:
                _warn(f"{r.key}: {r.error}")
                continue
            if not r.changes:
                print(f"{r.key}: up to date ({r.identifier})")
            for c in r.changes:
                mark = " (edited by hand: kept)" if c.by_hand else ""
                print(f"{r.key}: {c.field}: {_field_text(c.old) if c.old is not None else '(none)'}"
                      f" -> {_field_text(c.new)}{mark}")
            if "retracted" in r.custom:
                from refcli.corrections import retraction_note

                _warn(f"{r.key} has been {retraction_note({'custom': r.custom})}")
        if applied:
            _say(f"updated {_count(sum(1 for fields in applied.values() if fields))}")
        elif any(r.changes for r in results) and not apply_:
            _say("nothing changed: refcli update --apply takes these values")
    if any(r.error for r in results):
        from refcli.errors import NetworkError

        raise typer.Exit(NetworkError.exit_code)


def _update_targets(terms: list[str]) -> list[dict]:
    from refcli import index
    from refcli.selection import as_key_list
    from refcli.update import identifier

    keys = as_key_list(terms, library_path()) if terms else None
    if keys is not None:
        with index.fresh(library_path()) as idx:
            return [_get(k, idx) for k in keys]
    works = [i for i in _query(terms) if identifier(i)]
    if not works:
        raise UsageError("no works with a DOI, arXiv id, PMID or ISBN match")
    return works


def rename(
    old: Annotated[str, typer.Argument(help="The work's key (or DOI).", autocompletion=_complete_keys)],
    new: Annotated[str, typer.Argument(help="Its new key.")],
) -> None:
    """Give a work a new key; the old one keeps working as an alias.

    Manuscripts that cite the old key still compile (export --cited-in exports the
    work under the key they use), and links from other works follow the new key.

    [bold]Examples[/bold]

      refcli rename lecun2015deep LeCun2015
      refcli rename 10.1038/nature14539 deeplearning2015
    """
    from refcli import store

    with store.transaction(library_path(), message=f"rename {old} {new}") as lib:
        item = lib.rename(old, new)
    _say(f"renamed {', '.join(item['custom']['aliases'][-1:])} to {item['id']} (the old key stays an alias)")


def duplicates(
    query: Annotated[Optional[list[str]], typer.Argument(
        help="Only pairs where a work has these words (key, title, authors); with --not, two keys.",
        metavar="[QUERY]...")] = None,
    distinct: Annotated[bool, typer.Option("--not", help="Remember that the two works KEY KEY are distinct.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the pairs as JSON.")] = False,
) -> None:
    """List possible duplicates with their score and the evidence for and against.

    A work that may duplicate another is added on its own and listed here; merge
    it (refcli merge) or dismiss the pair for good (--not).

    [bold]Examples[/bold]

      refcli duplicates
      refcli duplicates lecun --json
      refcli duplicates --not smith2020deep smith2020deepa
    """
    from refcli import review, store

    if distinct:
        if len(query or []) != 2:
            raise UsageError("--not takes two keys: refcli duplicates --not KEY KEY")
        a, b = query or []
        with store.transaction(library_path(), message=f"duplicates --not {a} {b}") as lib:
            ka, kb = review.mark_distinct(lib, a, b, store.now_iso())
        if as_json:
            _print_json({"distinct": [ka, kb]})
        else:
            _say(f"{ka} and {kb} are distinct works: not proposed again")
        return
    items = store.load(library_path()).items
    pairs = review.matching_query(review.find_pairs(items), items, query or [])
    titles = {str(i.get("id")): str(i.get("title") or "") for i in items}
    if as_json:
        _print_json([p.as_json(titles) for p in pairs])
        return
    lines = []
    for p in pairs:
        d = p.decision
        lines.append(f"{d.score:.2f} {p.a} ~ {p.b} ({'same work' if d.verdict == 'same' else 'possible duplicate'})")
        lines.append(f"  {titles.get(p.a, '')[:70]}  |  {titles.get(p.b, '')[:70]}")
        if d.evidence_for:
            lines.append("  for: " + ", ".join(d.evidence_for))
        if d.evidence_against:
            lines.append("  against: " + ", ".join(d.evidence_against))
    # Library text never reaches the terminal as control characters.
    sys.stdout.write("".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", line) + "\n" for line in lines))
    if not pairs:
        _say("no possible duplicates")


def merge_cmd(
    keep: Annotated[str, typer.Argument(help="The work to keep (key or DOI).")],
    others: Annotated[list[str], typer.Argument(help="Works to merge into it.", metavar="OTHER...")],
    as_json: Annotated[bool, typer.Option("--json", help="Print what happened as JSON.")] = False,
) -> None:
    """Merge works by hand: every field is kept, the other keys become aliases.

    Values that conflict stay in custom.merged; refcli unmerge splits a work off again.

    [bold]Examples[/bold]

      refcli merge smith2020deep smith2020deepa
      refcli merge lecun2015deep lecun2015deepa lecun2015deepb --json
    """
    from refcli import review, store

    with store.transaction(library_path(), message=f"merge {keep} {' '.join(others)[:200]}") as lib:
        kept, done = review.merge_works(lib, keep, others, store.now_iso())
    if as_json:
        _print_json({"kept": kept, "merged": [{"key": k, "fields": f} for k, f in done]})
    else:
        for key, _ in done:
            _say_styled("merged [cyan]{key}[/cyan] into [cyan]{kept}[/cyan]", key=key, kept=kept)


def unmerge(
    key: Annotated[str, typer.Argument(help="The merged work (key or DOI).")],
    alias: Annotated[str, typer.Argument(help="The key of the record to split off (one of its aliases).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the restored work as JSON.")] = False,
) -> None:
    """Split a record merged into a work back out as a work of its own.

    [bold]Examples[/bold]

      refcli unmerge smith2020deep smith2020deepa
    """
    from refcli import review, store

    with store.transaction(library_path(), message=f"unmerge {key} {alias}") as lib:
        restored, how = review.unmerge(lib, key, alias, store.now_iso())
    if as_json:
        _print_json({"restored": restored, "from": how})
    else:
        _say_styled("restored [cyan]{alias}[/cyan] as a work of its own (from its {how})",
                    alias=str(restored["id"]), how="backup" if how == "backup" else "merge record")
