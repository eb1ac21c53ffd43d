"""YAML formats: CSL-YAML (read and write) and ``CITATION.cff`` (read).

PyYAML (MIT) parses, with its (pure-Python) safe loader and two more limits: no anchors or
aliases (a "billion laughs" document is a few lines of aliases) and no implicit
timestamps (``issued: 2015-05-28`` stays text and is parsed as a CSL date, as pandoc
does). CSL-YAML is pandoc's form: a ``references:`` list, usually in a ``---``
front-matter block; a bare list of items is read too. Every item then passes the
CSL-JSON shape check (``shape.check``) like CSL-JSON itself.

``CITATION.cff`` (Citation File Format 1.2) describes software or data: one item for
the work itself and one for its ``preferred-citation`` when it has one; every key
with no CSL equivalent is kept in ``custom["cff"]``.
"""

from __future__ import annotations

from typing import Any

from refcli.errors import InputError
from refcli.formats.dates import parse_date
from refcli.formats.model import ReadResult
from refcli.vocabulary import DATE_VARIABLES as DATE_VARS


def _loader() -> type:
    import yaml

    base = yaml.SafeLoader  # the C loader composes in C, past compose_node below

    class Loader(base):  # type: ignore[misc, valid-type]
        """Safe, without aliases and without timestamp resolution."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.YAMLError(f"aliases are not accepted (line {event.start_mark.line + 1})")
            return super().compose_node(parent, index)

    Loader.yaml_implicit_resolvers = {
        key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in base.yaml_implicit_resolvers.items()
    }
    return Loader


def load_yaml(text: str, source: str) -> Any:
    """The first YAML document of *text* (front matter included), safely."""
    import yaml

    try:
        loader = _loader()(text)
        try:
            data = _first_document(loader)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {str(exc).splitlines()[0][:200]}", where=source) from exc
    except RecursionError as exc:
        raise InputError("YAML nested too deeply", where=source) from exc
    return _jsonable(data, source)


def _jsonable(value: Any, source: str, depth: int = 0) -> Any:
    """What JSON can hold: keys as text, no binary; refused past MAX_DEPTH levels."""
    from refcli.formats.shape import MAX_DEPTH

    if depth > MAX_DEPTH + 2:
        raise InputError(f"YAML nested more than {MAX_DEPTH} levels deep", where=source)
    if isinstance(value, dict):
        return {str(k): _jsonable(v, source, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v, source, depth + 1) for v in value]
    if isinstance(value, bytes | bytearray):
        raise InputError("binary values (!!binary) are not accepted", where=source)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _first_document(loader: Any) -> Any:
    node = loader.get_node() if loader.check_node() else None
    return loader.construct_document(node) if node is not None else None


def _csl_dates(item: dict) -> dict:
    """pandoc's CSL-YAML allows a date as text (``2015-05-28``, ``2015``): make it CSL."""
    for var in DATE_VARS:
        value = item.get(var)
        if isinstance(value, str | int) and not isinstance(value, bool):
            item[var] = parse_date(str(value)) or value
    return item


def read_cslyaml(text: str, source: str = "<stdin>") -> ReadResult:
    from refcli.formats.csljson import checked_items

    data = load_yaml(text, source)
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        data = data["references"]
    if not isinstance(data, list):
        raise InputError("not CSL-YAML: expected a 'references:' list of items", where=source)
    items = [_csl_dates(dict(i)) if isinstance(i, dict) else i for i in data]
    return checked_items(items, source)


def write_cslyaml(items: list[dict]) -> str:
    """Items -> CSL-YAML as pandoc reads it (``---`` / ``references:`` / ``...``)."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = yaml.dump({"references": items}, Dumper=dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1000)
    return f"---\n{body}...\n"


# ------------------------------------------------------------------ CITATION.cff

_CFF_TYPES = {"software": "software", "dataset": "dataset", "article": "article-journal",
              "book": "book", "conference-paper": "paper-conference", "report": "report",
              "thesis": "thesis", "manual": "book", "website": "webpage", "chapter": "chapter",
              "proceedings": "book", "generic": "document", "pamphlet": "pamphlet",
              "magazine-article": "article-magazine", "newspaper-article": "article-newspaper",
              "unpublished": "manuscript", "data": "dataset", "standard": "standard",
              "patent": "patent", "conference": "paper-conference"}
_CFF_TEXT = {"title": "title", "abstract": "abstract", "version": "version", "doi": "DOI",
             "url": "URL", "publisher": "publisher", "volume": "volume", "issue": "issue",
             "edition": "edition", "isbn": "ISBN", "issn": "ISSN", "number": "number",
             "license": "license", "medium": "medium", "notes": "note", "status": "status",
             "section": "section", "pmcid": "PMCID", "languages": "language"}
_CFF_CONSUMED = set(_CFF_TEXT) | {"type", "authors", "editors", "translators", "date-released",
                                  "date-published", "year", "month", "journal", "collection-title",
                                  "conference", "keywords", "start", "end", "pages",
                                  "preferred-citation", "repository-code", "cff-version", "message"}


def _cff_name(person: Any) -> dict:
    if not isinstance(person, dict):
        return {"literal": str(person)}
    if person.get("family-names"):
        name = {"family": str(person["family-names"])}
        if person.get("given-names"):
            name["given"] = str(person["given-names"])
        if person.get("name-particle"):
            name["non-dropping-particle"] = str(person["name-particle"])
        if person.get("name-suffix"):
            name["suffix"] = str(person["name-suffix"])
        return name
    return {"literal": str(person.get("name") or person.get("alias") or "")}


def _cff_item(data: dict) -> dict:
    ctype = _CFF_TYPES.get(str(data.get("type") or "software"), "document")
    item: dict[str, Any] = {"type": ctype}
    for key, var in _CFF_TEXT.items():
        value = data.get(key)
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        if value not in (None, ""):
            item[var] = str(value)
    if ctype == "software" and "URL" not in item and data.get("repository-code"):
        item["URL"] = str(data["repository-code"])
    for key, var in (("authors", "author"), ("editors", "editor"), ("translators", "translator")):
        if isinstance(data.get(key), list):
            item[var] = [_cff_name(p) for p in data[key]]
    date = data.get("date-published") or data.get("date-released")
    if date:
        item["issued"] = parse_date(str(date))
    elif data.get("year"):
        item["issued"] = {"date-parts": [[int(data["year"])] + ([int(data["month"])] if data.get("month") else [])]}
    for key in ("journal", "collection-title"):
        if data.get(key):
            item["container-title" if key == "journal" else "collection-title"] = str(data[key])
    if isinstance(data.get("conference"), dict) and data["conference"].get("name"):
        item["event-title"] = str(data["conference"]["name"])
    if data.get("start"):
        item["page"] = f"{data['start']}-{data['end']}" if data.get("end") else str(data["start"])
    elif data.get("pages"):
        item["number-of-pages"] = str(data["pages"])
    if isinstance(data.get("keywords"), list):
        item["keyword"] = ", ".join(map(str, data["keywords"]))
    extras = {k: v for k, v in data.items() if k not in _CFF_CONSUMED}
    if data.get("repository-code") and item.get("URL") != data["repository-code"]:
        extras["repository-code"] = data["repository-code"]
    item["custom"] = {"cff": {"type": str(data.get("type") or "software"), "fields": extras}}
    return item


def read_cff(text: str, source: str = "<stdin>") -> ReadResult:
    from refcli.formats.csljson import checked_items

    data = load_yaml(text, source)
    if not isinstance(data, dict) or "cff-version" not in data:
        raise InputError("not a CITATION.cff file: no cff-version", where=source)
    items = [_cff_item(data)]
    preferred = data.get("preferred-citation")
    if isinstance(preferred, dict):
        items.append(_cff_item(preferred))
        items[-1]["custom"]["cff"]["preferred_citation_of"] = items[0].get("title", "")
    return checked_items(items, source)
