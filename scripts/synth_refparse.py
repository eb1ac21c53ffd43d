#!/usr/bin/env python3
"""Synthetic labelled reference strings for training the reference parser.

    .venv/bin/python -m scripts.synth_refparse [--n 20] [--seed 1]   # print a sample

The labelled data is mostly humanities references in a handful of house styles;
the parser must also read what citation managers print. So the *fields* of the
training references (never the held-out ones) become CSL-JSON records, refcli's
own CSL engine (``refcli.csl.render``) prints them in the major styles, and each
printed token is labelled by aligning it back to the field it came from. GOST
7.0.5 strings (Russian journals) come from templates, as no CSL style here prints them,
and so do reports in a numbered series ("… Sejong Policy Brief 2025-02. Seongnam: Sejong
Institute.", ``reports``), which the labelled data has too few of: their series and
number are one ``container-title`` span, as ``refparse.fields`` reads them.

Labels follow the AnyStyle data: a journal is ``journal``, a book holding a
chapter ``container-title``; issue numbers sit in ``volume`` tokens; "pp."/"Vol."/
"In" belong to the field they introduce and "(Eds.)" to the editors before it.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STYLES = ("apa", "chicago-author-date", "chicago-notes-bibliography", "modern-language-association",
          "harvard-cite-them-right", "ieee", "nature", "american-medical-association",
          "elsevier-vancouver", "elsevier-harvard")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_ATOM = re.compile(r"[^\W_]+")
# Printed words that belong to the field after them, or to the one before them.
_LEADS = {"in", "in:", "pp", "p", "vol", "no", "edited", "by", "retrieved", "from", "available", "at", "doi",
          "url", "accessed", "ed", "eds", "trans", "translated", "s", "с", "т", "№", "//"}
_TRAILS = {"eds", "ed", "editor", "editors", "et", "al", "hrsg"}
_JOINS = {"and", "&", "und", "et", "y", "и"}
Labelled = tuple[list[str], list[str]]


def _atoms(text: str) -> list[str]:
    return [a.lower() for a in _ATOM.findall(text)]


def record_to_item(fields: dict, index: int) -> tuple[dict, str] | None:
    """A labelled reference's fields as a CSL item, and the label its container takes."""
    from refcli.refparse.fields import parse_names

    title, year = fields.get("title"), _YEAR.search(fields.get("date", ""))
    if not title or not year or not fields.get("author"):
        return None
    authors, _ = parse_names(fields["author"])
    if not authors:
        return None
    item: dict = {"id": f"r{index}", "title": title, "author": authors,
                  "issued": {"date-parts": [[int(year.group(1))]]}}
    container = fields.get("container-title")
    if fields.get("editor"):
        item["editor"] = parse_names(fields["editor"])[0]
    for source, target in (("volume", "volume"), ("issue", "issue"), ("pages", "page"), ("publisher", "publisher"),
                           ("location", "publisher-place"), ("doi", "DOI"), ("edition", "edition")):
        if fields.get(source):
            item[target] = fields[source]
    if container and (item.get("volume") or item.get("issue")) and not item.get("publisher"):
        item["type"], item["container-title"], kind = "article-journal", container, "journal"
    elif container:
        item["type"], item["container-title"], kind = "chapter", container, "container-title"
    elif item.get("publisher"):
        item["type"], kind = "book", ""
        item.pop("page", None)
    else:
        return None
    return item, kind


def _field_atoms(item: dict, kind: str) -> dict[str, set[str]]:
    """For each label, the words its printed form can contain."""
    out: dict[str, set[str]] = {}

    def add(label: str, text: str) -> None:
        out.setdefault(label, set()).update(_atoms(text))

    for role in ("author", "editor"):
        for name in item.get(role, []):
            for part in name.values():
                add(role, part)
                add(role, " ".join(w[0] for w in _atoms(part)))  # initials
    add("title", item["title"])
    if kind:
        add(kind, item["container-title"])
    add("date", str(item["issued"]["date-parts"][0][0]))
    add("volume", f"{item.get('volume', '')} {item.get('issue', '')}")
    add("pages", item.get("page", ""))
    add("publisher", item.get("publisher", ""))
    add("location", item.get("publisher-place", ""))
    add("edition", item.get("edition", ""))
    if item.get("DOI"):
        add("doi", item["DOI"])
        add("doi", "https doi org")
    return out


def align(text: str, atoms: dict[str, set[str]]) -> Labelled | None:
    """Label the tokens of a printed reference by the field each one's words come from."""
    tokens = text.split()
    candidates: list[list[str]] = []
    for i, token in enumerate(tokens):
        words = _atoms(token)
        opens_field = token.lower() in ("in", "in:") and i and tokens[i - 1][-1] in ".,”"
        if i == 0 and re.fullmatch(r"\[?\d{1,3}[.\]]", token) or token.lower() in _JOINS or opens_field:
            candidates.append([])  # settled below, by position and neighbours
            continue
        if re.fullmatch(r"\d{4};\S+", token):  # Vancouver's "2012;30(15):12-19" is read as volume
            candidates.append(["volume"])
            continue
        votes: dict[str, int] = {}
        for word in words:
            for label, known in atoms.items():
                if word in known:
                    votes[label] = votes.get(label, 0) + 1
        best = max(votes.values(), default=0)
        candidates.append(sorted(label for label, v in votes.items() if v == best) if best else [])
    labels: list[str | None] = [c[0] if len(c) == 1 else None for c in candidates]
    # Ambiguous words ("of" in title and journal) continue the field before them,
    # else join the field after them.
    for i, cands in enumerate(candidates):
        if len(cands) > 1:
            before = labels[i - 1] if i else None
            after = next((labels[j] for j in range(i + 1, len(labels)) if labels[j]), None)
            labels[i] = before if before in cands else after if after in cands else cands[0]
    # Words the style added ("In", "pp.", "(Eds.)", "and", quotes): attach by convention.
    for i, token in enumerate(tokens):
        if labels[i]:
            continue
        core = token.lower().strip("\"'“”‘’«»()[].,:;")
        before = next((labels[j] for j in range(i - 1, -1, -1) if labels[j]), None)
        after = next((labels[j] for j in range(i + 1, len(labels)) if labels[j]), None)
        if i == 0 and re.fullmatch(r"\[?\d{1,3}[.\]]", token):
            labels[i] = "citation-number"
        elif core in _JOINS and before == after or core in _TRAILS and before:
            labels[i] = before
        elif core in _LEADS and after:
            labels[i] = after
        else:
            labels[i] = before or after
    if None in labels or len(set(labels)) < 3:
        return None
    return tokens, [str(label) for label in labels]


def _double_issue(item: dict, kind: str, rng: random.Random) -> tuple[dict, str]:
    """The item as a double issue ("97, nos. 3–4 (1953)" in Chicago, "97(3–4)" in APA)."""
    first = rng.randint(1, 11)
    return {**item, "issue": f"{first}-{first + 1}"}, kind


def rendered(records: Iterable[dict], rng: random.Random, per_style: int, double_issues: float = 0.0,
             doubles: random.Random | None = None) -> list[Labelled]:
    """Training pairs from CSL styles: ``per_style`` records printed in each style; a share
    ``double_issues`` of the journal articles printed as double issues (drawn from ``doubles``,
    so that the rest is the same strings as without them)."""
    from refcli.csl import render

    pool = [x for x in (record_to_item(r, i) for i, r in enumerate(records)) if x]
    out: list[Labelled] = []
    for style in STYLES:
        chosen = rng.sample(pool, min(per_style, len(pool)))
        if double_issues and doubles is not None:
            chosen = [_double_issue(item, kind, doubles) if item["type"] == "article-journal" and item.get("volume")
                      and doubles.random() < double_issues else (item, kind) for item, kind in chosen]
        items = [item for item, _ in chosen]
        kinds = {item["id"]: (item, kind) for item, kind in chosen}
        try:
            entries = render(items, style, fmt="text")["bibliography"]
        except Exception as exc:  # noqa: BLE001 - a style that cannot print a record costs only its strings
            print(f"synth: {style}: {exc}", file=sys.stderr)
            continue
        for entry in entries:
            item, kind = kinds[entry["id"]]
            pair = align(entry["text"], _field_atoms(item, kind))
            if pair:
                out.append(pair)
    return out


_GOST_ARTICLE = ("{authors} {title} // {journal}. {year}. {vol}{no}{pages}",)
_GOST_BOOK = ("{authors} {title}. {place}: {publisher}, {year}. {count}",
              "{authors} {title}. – {place}: {publisher}, {year}. – {count}")


def _gost_name(name: dict) -> str:
    initials = "".join(f"{w[0]}." for w in (name.get("given") or "").replace(".", " ").split() if w)
    return f"{name.get('family', name.get('literal', ''))} {initials}".strip()


def gost(records: Iterable[dict], rng: random.Random, n: int) -> list[Labelled]:
    """GOST 7.0.5 strings ("Family I.O. Title // Journal. 2024. Т. 5, № 2. С. 7–20.") from templates."""
    pool = [x for x in (record_to_item(r, i) for i, r in enumerate(records)) if x]
    out: list[Labelled] = []
    for item, _kind in rng.sample(pool, min(n, len(pool))):
        parts: list[tuple[str, str]] = [(", ".join(_gost_name(a) for a in item["author"][:3]), "author"),
                                        (item["title"].rstrip("."), "title")]
        year = str(item["issued"]["date-parts"][0][0])
        if item.get("container-title") and item.get("volume"):
            vol = rng.choice(["Т. {}", "Vol. {}", "Вып. {}"]).format(item["volume"])
            parts += [("//", "journal"), (item["container-title"].rstrip(".") + ".", "journal"), (year + ".", "date"),
                      (vol + ("," if item.get("issue") else "."), "volume")]
            if item.get("issue"):
                parts.append((f"№ {item['issue']}.", "volume"))
            if item.get("page"):
                parts.append((f"{rng.choice(['С.', 'P.'])} {item['page'].replace('-', '–')}.", "pages"))
        elif item.get("publisher"):
            parts[-1] = (parts[-1][0] + ".", "title")
            parts += [((item.get("publisher-place") or rng.choice(["М.", "СПб.", "Moscow"])) + ":", "location"),
                      (item["publisher"] + ",", "publisher"), (year + ".", "date"),
                      (f"{rng.randint(80, 600)} {rng.choice(['с.', 'p.'])}", "pages")]
        else:
            continue
        tokens: list[str] = []
        labels: list[str] = []
        for text, label in parts:
            words = text.split()
            tokens += words
            labels += [label] * len(words)
        out.append((tokens, labels))
    return out


# Reports in a numbered series: (series, institution, place, number shapes). The
# series and its number are one ``container-title`` span, which ``refparse.fields``
# reads as CSL's collection-title and number; the institution is the publisher.
_SERIES = (
    ("Sejong Policy Brief", "Sejong Institute", "Seongnam", ("{y}-{m:02d}",)),
    ("IMF Working Paper", "International Monetary Fund", "Washington, DC", ("WP/{yy}/{n2}", "No. {yy}/{n2}")),
    ("NBER Working Paper", "National Bureau of Economic Research", "Cambridge, MA", ("No. {n5}", "w{n5}")),
    ("Policy Research Working Paper", "World Bank", "Washington, DC", ("{n4}", "No. {n4}")),
    ("IZA Discussion Paper", "IZA Institute of Labor Economics", "Bonn", ("No. {n5}", "No. {n2}")),
    ("CEPR Discussion Paper", "Centre for Economic Policy Research", "London", ("DP{n5}", "No. {n5}")),
    ("Bruegel Policy Brief", "Bruegel", "Brussels", ("{y}/{m:02d}", "Issue {m:02d}/{y}")),
    ("OECD Economics Department Working Papers", "OECD Publishing", "Paris", ("No. {n4}",)),
    ("Research Report", "RAND Corporation", "Santa Monica, CA", ("RR-A{n4}-{m}",)),
    ("Kiel Policy Brief", "Kiel Institute for the World Economy", "Kiel", ("{n3}", "No. {n3}")),
    ("DIW Discussion Papers", "Deutsches Institut für Wirtschaftsforschung", "Berlin", ("{n4}", "Nr. {n4}")),
    ("IAB-Kurzbericht", "Institut für Arbeitsmarkt- und Berufsforschung", "Nürnberg", ("{m}/{y}",)),
    ("ADB Economics Working Paper Series", "Asian Development Bank", "Manila", ("No. {n3}",)),
    ("ECB Working Paper Series", "European Central Bank", "Frankfurt am Main", ("No {n4}", "No. {n4}")),
    ("CGD Policy Paper", "Center for Global Development", "Washington, DC", ("{n3}",)),
    ("Staff Reports", "Federal Reserve Bank of New York", "New York", ("No. {n4}", "{n4}")),
    ("PIIE Policy Brief", "Peterson Institute for International Economics", "Washington, DC", ("{yy}-{m}", "PB{yy}-{m}")),
    ("ODI Working Paper", "Overseas Development Institute", "London", ("{n3}",)),
    ("SWP Research Paper", "Stiftung Wissenschaft und Politik", "Berlin", ("{m}/{y}",)),
    ("Technical Report", "Department of Computer Science, University of Toronto", "Toronto", ("TR-{y}-{m:02d}", "CSRG-{n3}")),
    ("KDI Policy Brief", "Korea Development Institute", "Sejong", ("No. {n2}", "{y}-{m:02d}")),
    ("Chatham House Research Paper", "Royal Institute of International Affairs", "London", ("{y}/{m:02d}",)),
    ("Lowy Institute Analyses", "Lowy Institute", "Sydney", ("{y}-{m:02d}",)),
    ("Occasional Paper", "Institute for Fiscal Studies", "London", ("No. {n2}", "OP{n2}")),
    ("Documento de Trabajo", "Banco de España", "Madrid", ("N.º {n4}", "{n4}")),
    ("Cahier de recherche", "Université de Montréal", "Montréal", ("{y}-{m:02d}",)),
)
# Printed reports: {a} authors, {y} year, {t} title, {s} series and number, {p} place, {i} institution.
_REPORT_STYLES = (
    ("family-given", "{a}. {y}. “{t}.” {s}. {p}: {i}."),               # Chicago author-date
    ("family-given", '{a}. {y}. "{t}." {s}. {p}: {i}.'),
    ("family-given", "{a}. “{t}.” {s}. {p}: {i}, {y}."),                # Chicago notes-bibliography
    ("family-initials", "{a} ({y}). {t} ({s}). {i}."),                   # APA
    ("family-initials", "{a} ({y}). {t}. {s}. {p}: {i}."),
    ("family-initials", "{a} ({y}) {t}. {s}. {p}: {i}."),                # Harvard
    ("family-given", "{a}. “{t}.” {s}, {i}, {y}."),                      # MLA
    ("vancouver", "{a}. {t}. {s}. {p}: {i}; {y}."),                       # Vancouver
    ("family-initials", "{a}, {y}. {t}. {s}, {i}, {p}."),                # Elsevier Harvard
    ("family-initials", "{a} ({y}). {t}. {s}."),
    ("initials-family", "{a}, “{t},” {i}, {p}, {s}, {y}."),              # IEEE
)


def _report_authors(names: list[dict], form: str) -> str:
    def one(name: dict, first: bool) -> str:
        family, given = name.get("family", name.get("literal", "")), name.get("given") or ""
        initials = [f"{w[0]}." for w in given.replace(".", " ").split() if w]
        if form == "vancouver":
            return f"{family} {''.join(i[0] for i in initials)}".strip()
        if form == "initials-family" or form == "family-given" and not first:
            return f"{given} {family}".strip() if form == "family-given" else f"{' '.join(initials)} {family}".strip()
        return f"{family}, {given if form == 'family-given' else ' '.join(initials)}".strip(", ")

    shown = [one(n, i == 0) for i, n in enumerate(names[:3])]
    if len(shown) == 1 or form == "vancouver":
        return ", ".join(shown)
    joiner = " & " if form == "family-initials" else " and "
    return ", ".join(shown[:-1]) + ("," if len(shown) > 2 else "") + joiner + shown[-1]


def reports(records: Iterable[dict], rng: random.Random, n: int) -> list[Labelled]:
    """Reports in a numbered series ("Lee, K. 2025. “Title.” Sejong Policy Brief 2025-02.
    Seongnam: Sejong Institute."), the training references' authors and titles printed as
    policy briefs, working papers, discussion papers and technical reports."""
    pool = [x for x in (record_to_item(r, i) for i, r in enumerate(records)) if x]
    out: list[Labelled] = []
    for item, _kind in rng.sample(pool, min(n, len(pool))):
        series, institution, place, shapes = rng.choice(_SERIES)
        year = int(item["issued"]["date-parts"][0][0])
        year = year if year >= 1970 else rng.randint(1990, 2026)  # numbered series of this kind are recent
        number = rng.choice(shapes).format(y=year, yy=f"{year % 100:02d}", m=rng.randint(1, 12),
                                          n2=rng.randint(1, 99), n3=rng.randint(10, 750),
                                          n4=rng.randint(100, 9999), n5=rng.randint(1000, 32000))
        form, template = rng.choice(_REPORT_STYLES)
        fields = {"a": (_report_authors(item["author"], form), "author"), "y": (str(year), "date"),
                  "t": (item["title"].rstrip(". "), "title"), "s": (f"{series} {number}", "container-title"),
                  "p": (place, "location"), "i": (institution, "publisher")}
        # Each printed word takes the field its first letter or digit comes from; the
        # template's quotes, brackets and punctuation go with the word they touch.
        text, owner = "", list[str]()
        for piece in re.split(r"(\{\w\})", template):
            value, label = fields[piece[1]] if piece.startswith("{") else (piece, "")
            text += value
            owner += [label] * len(value)
        tokens: list[str] = []
        labels: list[str] = []
        for word in re.finditer(r"\S+", text):
            core = next((i for i in range(word.start(), word.end()) if text[i].isalnum()), word.start())
            tokens.append(word.group())
            labels.append(owner[core])
        if "" in labels:
            continue
        out.append((tokens, labels))
    return out


def synthetic(records: list[dict], seed: int, per_style: int, n_gost: int, n_reports: int = 0,
              double_issues: float = 0.0) -> list[Labelled]:
    """All synthetic training pairs, deterministic for a seed."""
    rng = random.Random(seed)
    fields = [r["fields"] for r in records]
    return (rendered(fields, rng, per_style, double_issues, random.Random(f"double issues {seed}"))
            + gost(fields, rng, n_gost) + reports(fields, rng, n_reports))


def main() -> None:
    import argparse
    import json

    from refcli.refparse.split import is_heldout

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "references" /
                        "anystyle-gold.jsonl")
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    records = [json.loads(line) for line in args.data.open(encoding="utf-8") if line.strip()]
    for tokens, labels in synthetic([r for r in records if not is_heldout(r["id"])], args.seed, args.n, args.n, args.n):
        print(" ".join(f"{t}/{lab}" for t, lab in zip(tokens, labels, strict=True)))


if __name__ == "__main__":
    main()
