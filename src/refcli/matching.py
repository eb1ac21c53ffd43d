"""Are two records the same work? A decision from all the evidence, with vetoes.

A work here is what a reference manager keeps one record of: one work *as
published*. A preprint and its version of record, an erratum and its article, a
chapter and its book, two editions, a translation and its original are distinct
works that a bibliographer links (``related``), never merges.

The order of the evidence:

1. Identifiers, when both sides have one: the same DOI, PMID or arXiv id (any
   version), or the same ISBN and edition of a book, make one work; two different
   DOIs or PMIDs never do.
2. Kind: a preprint, an erratum, a retraction notice, a chapter, a thesis, a
   conference paper against a journal article, another edition: related, not same.
3. Discriminators that must not conflict when both sides have them: the numbers
   and roman numerals of the title (part I / II, § 305 / 305c, volume 1 / 2), year
   (one year apart only with strong agreement elsewhere), volume, issue, first page,
   edition, report number, container.
4. Agreement: title similarity (subtitle dropped, transliterated, abridged), every
   author (particles, suffixes, initials, swapped names, group names), container.

A generic title (Editorial, Introduction, Reply …) is no evidence at all: such
records are the same only by identifier or by container, volume and pages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from refcli.identifiers import normalize_doi, normalize_isbn
from refcli.vocabulary import Item

SAME, MAYBE, RELATED, DIFFERENT = "same", "maybe", "related", "different"

# rapidfuzz ratios (0-100) on normalised titles.
TITLE_SAME = 93.0  # typos, punctuation, a word's spelling
TITLE_RELATED = 85.0  # a one-word change between a preprint and its published version
TITLE_CANDIDATE = 80.0  # below this two titles are never compared further


@dataclass
class Decision:
    verdict: str  # SAME | MAYBE | RELATED | DIFFERENT
    score: float  # 0..1: how strongly the evidence says "one work"
    relation: str | None = None  # for RELATED: what *a* is to *b* ("preprint-of", …)
    evidence_for: list[str] = field(default_factory=list)
    evidence_against: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "score": round(self.score, 3), "relation": self.relation,
                "for": self.evidence_for, "against": self.evidence_against}


# ------------------------------------------------------------------ normalising

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form for comparisons (``Müller`` → ``muller``).

    Other scripts keep their letters (Cyrillic, Hangul, CJK); only marks go.
    This runs for every field of every item when the search index is built and
    on every record added, so strings are cached (names, journals and publishers
    repeat across a library) and ASCII text takes a short path.
    """
    return _fold(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    text = text.casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        text = unicodedata.normalize("NFC", text)  # Hangul and kana recompose
    return _NON_WORD.sub(" ", text).strip()




_LATEX_ACCENT = re.compile(r"\\[\"'`^~=.uvHckrbd]\s*\{?\s*([A-Za-z])\}?")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\s*")
_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """Lower-case ASCII words: LaTeX escapes resolved, accents dropped, other scripts
    transliterated (``Империя`` → ``imperiia``), punctuation gone, digits kept."""
    if "\\" in text or "{" in text:
        text = _LATEX_COMMAND.sub("", _LATEX_ACCENT.sub(r"\1", text)).replace("{", "").replace("}", "")
    text = fold(text)
    if not text.isascii():
        from anyascii import anyascii

        text = _NON_WORD.sub(" ", anyascii(text).lower()).strip()
    return text


# Words of no weight for telling titles or containers apart.
_STOP = frozenset("a an the of and in on for to at by with from und der die das le la les de des "
                  "du et en el los".split())

# A record's kind, told by its title: these prefixes/suffixes mark a notice about another work.
_ERRATUM = re.compile(r"^(?:erratum|errata|corrigendum|corrigenda|correction|addendum|"
                      r"publisher s note|author correction|publisher correction)(?: to| on| for)?\b\s*")
_RETRACTION = re.compile(r"^(?:retraction note|retraction notice|notice of retraction|retraction"
                         r"|withdrawal notice|expression of concern)(?: to| for| of| on)?\b\s*")
_TRAILING_MARK = re.compile(r"\s+(?:erratum|corrigendum|retraction|retracted article|retracted)$")
# Web of Science titles a correction "<title of the article> (vol 142, pg 310, 2003)".
_WOS_CORRECTION = re.compile(r"\s+vol \w+ pg \w+ \d{4}$")
# Embase's title of a correction: the corrected article's citation after its title,
# "Eculizumab for … (New England Journal of Medicine (2009) 360 (542-544))".
_EMBASE_CORRECTION = re.compile(r"\s*\((?:the\s+)?[A-Z][^()]*\(\d{4}\)\s*\d+(?:\s*[:(]\s*\d+\)?)?\s*\(\d+(?:\s*[-–]\s*\d+)?\)\)\s*$")
# What databases append to a title (MEDLINE/Ovid, Embase): the language of the
# original, "[Erratum appears in …]" (possibly cut off by the export), "[corrected]",
# "[see comments]", "[Review]". They say nothing about which work it is ("[Erratum]"
# alone does: the record is the notice).
_ANNOTATION = re.compile(r"\s*(?:\[(?:published\s+)?errat\w*\s+appears?\s+in\b.*"
                         r"|\[(?:see\s+)?comments?\b[^\]]*\]|\[\d+(?:\s+refs?)?\]"
                         r"|\[(?!errat|corrig|retract)[a-z]+(?:\s+abstract)?(?:\s+no\.?:?\s*\d+)?\])\W*$",
                         re.IGNORECASE)
# What Ovid and Embase append after the English title: the original-language title
# ("<ORIGINAL> PROPHYLAXIE …", "TO: Espirometria …") and the language ("LA: Chi").
_DATABASE_TAIL = re.compile(r"\s+(?:<ORIGINAL>|TO:|LA:)\s.*$", re.DOTALL)
_RETRACTED_MARK = re.compile(r"^(?:retracted article|retracted)\s+")

# Titles that name a kind of piece, not a work: never evidence of sameness.
_GENERIC = frozenset(norm(t) for t in """
editorial|editorials|guest editorial|introduction|an introduction|preface|foreword|prologue|epilogue|
afterword|erratum|errata|corrigendum|correction|corrections|reply|replies|response|author reply|
authors reply|reply to the letter|reply to comment|letter|letter to the editor|letters|comment|comments|
commentary|editor's comments|editors comments|editor's note|editors note|editor's introduction|
book review|book reviews|review|reviews|abstracts|abstract|index|contents|table of contents|
front matter|back matter|conclusion|conclusions|discussion|summary|news|obituary|in memoriam|
announcement|announcements|acknowledgements|acknowledgments|acknowledgement|reviewers|
editorial board|call for papers|notes|bibliography|references|appendix|untitled|no title|
miscellanea|notices|correspondence|from the editor|from the editors|message from the editor|
president's message|foreword and acknowledgements|introductory remarks|opening remarks|
closing remarks|overview|chapter 1|preliminaries|glossary|list of contributors|contributors
""".replace("\n", "").split("|"))

_ROMAN = re.compile(r"^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_NUMBER_WORDS = {w: str(i) for i, ws in enumerate([
    "", "one first", "two second", "three third", "four fourth", "five fifth", "six sixth",
    "seven seventh", "eight eighth", "nine ninth", "ten tenth", "eleven eleventh", "twelve twelfth"])
    for w in ws.split()}


def _is_roman(token: str) -> bool:
    return bool(token) and len(token) <= 6 and bool(_ROMAN.match(token))


def _roman_value(token: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = 0
    for i, ch in enumerate(token):
        v = values[ch]
        total += -v if i + 1 < len(token) and values[token[i + 1]] > v else v
    return total


# A capital numeral standing alone: "Friction. I. General", "copper(I)", "Part II".
_RAW_ROMAN = re.compile(r"(?:(?<=\()|(?<=\s)|^)([IVX]{1,5})(?=\s*(?:[.:,;)\]]|$))")


def _raw_romans(raw: str) -> list[str]:
    if raw.isupper():
        return []  # an all-capitals title: "I" may be a pronoun as well as a numeral
    return [str(_roman_value(m.lower())) for m in _RAW_ROMAN.findall(raw) if _is_roman(m.lower())]


def _discriminators(words: list[str]) -> tuple[str, ...]:
    """The title's numbers, roman numerals and number words, in order, as numbers:
    ``Part II`` → ("2",), ``§ 305c`` → ("305c",). ``I`` counts only after a word
    that numbers (part, volume …) or at the end, where it is a numeral, not a pronoun."""
    found = []
    for i, w in enumerate(words):
        if _DIGIT.search(w):
            found.append(w.lstrip("0") or "0")
        elif w in _NUMBER_WORDS and (w in _ORDINALS or (i and words[i - 1] in _NUMBERING)):
            found.append(_NUMBER_WORDS[w])
        elif _IVX.match(w) and _is_roman(w) and (len(w) > 1 or (
                i == len(words) - 1 or (i and words[i - 1] in _NUMBERING))):
            # "c", "d", "l", "m" and words like "mix" are not numerals; "i" alone only at the end
            found.append(str(_roman_value(w)))
    return tuple(found)


_DIGIT = re.compile(r"\d")
_IVX = re.compile(r"^[ivx]+$")


_ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
                      "twelfth".split())
_NUMBERING = frozenset("part parts vol volume volumes book books study studies no number chapter "
                       "section report edition ed series phase paper tome teil band band".split())


@dataclass
class Title:
    full: str  # normalised words
    main: str  # before the first ':' / ' - ' / '. ' / '?'
    kind: str  # "" | "erratum" | "retraction"
    numbers: tuple[str, ...]
    main_numbers: tuple[str, ...]
    generic: bool


# A "?" inside a word stands for a letter an export could not encode ("fran?ais",
# "Cirug?a"): dropped, the word stays one word, close to its spelling elsewhere.
_LOST_CHARACTER = re.compile(r"(?<=[^\W\d_])\?(?=[^\W\d_])")

# MEDLINE spells a Greek letter out in parentheses: "integrin (alpha)v(beta)3" is
# "integrin αvβ3", which other exports write "alphavbeta3".
_GREEK_SPELLED = re.compile(r"\((alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|lambda|mu|nu|xi|"
                            r"omicron|pi|rho|sigma|tau|upsilon|phi|chi|psi|omega)\)(?=(\w?))", re.IGNORECASE)


def _greek(m: re.Match[str]) -> str:
    """The letter's name, one word with what follows it ("(alpha)v(beta)3" → "alphavbeta3"),
    a word of its own after a word ("TNF(alpha) levels" → "TNF alpha levels")."""
    return m.group(1) if m.group(2) else " " + m.group(1)


_SUBTITLE = re.compile(r"\s*(?::|\s[-–—]\s|\.\s|\?\s|!\s)\s*")


def without_annotations(raw: str) -> str:
    """The title without what a database appended to it (``[Japanese]``, ``[Erratum
    appears in …]``, ``[corrected]``)."""
    text = raw.strip()
    if (tail := _DATABASE_TAIL.search(text)) and any(c.islower() for c in text[: tail.start()]):
        text = text[: tail.start()]  # (an all-capitals title may hold "TO:" itself)
    if "[" in text:
        while (annotation := _ANNOTATION.search(text)) and annotation.start() > 0:
            text = text[: annotation.start()]
    return text


@lru_cache(maxsize=1 << 14)
def parse_title(raw: str) -> Title:
    """The title as the decision reads it: normalised, its kind (erratum, retraction
    notice), main title, numerals, and whether it is generic."""
    text = _GREEK_SPELLED.sub(_greek, _LOST_CHARACTER.sub("", without_annotations(raw)))
    kind = ""
    if embase := _EMBASE_CORRECTION.search(text):
        text, kind = text[: embase.start()], "erratum"
    parts = _SUBTITLE.split(text, maxsplit=1)
    full = norm(text)
    if wos := _WOS_CORRECTION.search(full):
        full, kind = full[: wos.start()], "erratum"
    for pattern, name in ((_ERRATUM, "erratum"), (_RETRACTION, "retraction")):
        stripped = pattern.sub("", full, count=1)
        if stripped != full and stripped:
            full, kind = stripped, name
            break
    trailing = _TRAILING_MARK.search(full)
    if trailing:
        word = trailing.group(0).strip()
        kind = kind or ("erratum" if word in ("erratum", "corrigendum") else
                        "retraction" if word == "retraction" else "")
        full = full[: trailing.start()]
    full = _RETRACTED_MARK.sub("", full)
    main = norm(parts[0]) if len(parts) > 1 else full
    if kind and main != full:
        main = full if not full.startswith(main) else main
    if kind:  # the notice's own main title is the title it is about
        stripped_main = _ERRATUM.sub("", main, count=1) if kind == "erratum" else _RETRACTION.sub("", main, count=1)
        main = stripped_main or full
    generic = full in _GENERIC or not any(c.isalnum() for c in full)
    main = main or full
    return Title(full, main, kind, _numbers(full, raw), _numbers(main, parts[0] if len(parts) > 1 else raw), generic)


# A quick test that lets most titles skip parse_title when only the notice matters.
_NOTICE_WORD = re.compile(r"(?:errat|corrig|correct|addend|retract|withdraw|concern|publisher.s note|\(vol\b)")


@lru_cache(maxsize=1 << 16)
def notice_about(raw: str) -> str:
    """For a notice (erratum, retraction …), the normalised title of the work it is
    about; "" for any other title."""
    if not _NOTICE_WORD.search(raw.lower()) and not (raw.endswith("))") and _EMBASE_CORRECTION.search(raw)):
        return ""
    title = parse_title(raw)
    return title.full if title.kind else ""


@lru_cache(maxsize=1 << 16)
def heads(raw: str) -> tuple[str, ...]:
    """The normalised title up to each of its first separators (``Dynamical friction``,
    ``Dynamical friction I`` of ``Dynamical friction. I. General considerations``), of
    three words or more: what a record that dropped the subtitle has as its whole title."""
    out = []
    for m in list(_SUBTITLE.finditer(raw))[:3]:
        head = norm(raw[: m.start()])
        if head.count(" ") >= 2 and head not in out:
            out.append(head)
    return tuple(out)


def _numbers(words: str, raw: str) -> tuple[str, ...]:
    """The title's numerals as a sorted tuple: from its words and from capital numerals
    of the raw text (which the folded words can no longer tell from the pronoun "I")."""
    found = set(_discriminators(words.split()))
    found.update(_raw_romans(raw))
    return tuple(sorted(found))


# ------------------------------------------------------------------ names

_PARTICLES = frozenset("van von der den de del della di da dos das du la le ten ter te zu vom zum "
                       "al el bin ibn mac st d l".split())
_SUFFIXES = frozenset("jr sr ii iii iv junior senior".split())
_GROUP_WORDS = frozenset("of the and for on in".split())


def _german(s: str) -> str:
    # Gödel → godel by folding; Goedel must meet it there.
    return s.replace("ae", "a").replace("oe", "o").replace("ue", "u")


@lru_cache(maxsize=1 << 16)
def family_key(family: str) -> str:
    """A family name's key: particles and suffixes dropped, transliterated, ``oe`` → ``o``
    (``van der Graaf`` → ``graaf``, ``Wright Jr.`` → ``wright``, ``Goedel`` → ``godel``)."""
    words = norm(family).split()
    while len(words) > 1 and words[0] in _PARTICLES:
        words = words[1:]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words = words[:-1]
    return _german("".join(words))


@dataclass(frozen=True)
class Name:
    family: str  # key
    given: str  # initials
    group: str  # a group's normalised name ("" for a person)
    raw_family: str = ""
    given_key: str = ""  # the first given name as a family key: for names given swapped
    given_all: str = ""  # all given names as one family key ("Si Hyun, Kang" for Kang, Si Hyun)


def _name(n: Any) -> Name | None:
    if not isinstance(n, dict):
        return None
    literal = n.get("literal")
    family = str(n.get("family") or "")
    given = str(n.get("given") or "")
    if literal and not family:
        text = norm(str(literal))
        if not text:
            return None
        words = text.split()
        if len(words) <= 3 and not set(words) & _GROUP_WORDS and "," not in str(literal) and len(words) > 1 \
                and all(len(w) > 1 for w in words[1:]) and len(words[-1]) > 2 and not _org_like(text):
            # "John Smith" given as one literal: a person
            return Name(family_key(words[-1]), "".join(w[0] for w in words[:-1]), "", words[-1])
        return Name(family_key(text), "", text, text)
    if given.strip().lower() in _PLACEHOLDERS:
        given = ""
    if not family:
        return None
    if not given and len(words := norm(family).split()) in (2, 3) and all(len(w) > 1 for w in words) \
            and " " in family.strip() and not _org_like(norm(family)) and not set(words) & _PARTICLES:
        # "Si Hyun Kang" in the family field (its given part was a placeholder): a whole name
        return Name(family_key(words[-1]), "".join(w[0] for w in words[:-1]), "", words[-1])
    particle = str(n.get("non-dropping-particle") or "")
    suffix = str(n.get("suffix") or "")
    del particle, suffix  # both ignored: "van Graaf" and "Graaf" are one name
    given_words = [w for w in norm(given).split() if w not in _SUFFIXES]
    initials = "".join(w[0] for w in given_words)
    first_given = family_key(given_words[0]) if given_words and len(given_words[0]) > 1 else ""
    all_given = family_key(" ".join(given_words)) if len(given_words) > 1 else first_given
    return Name(family_key(family), initials, "", norm(family), first_given, all_given)


# What broken exports write for a missing given name.
_PLACEHOLDERS = frozenset(("null", "none", "n/a", "na", "nan", "undefined"))

_ORG_WORDS = frozenset("organization organisation association society institute university group "
                       "committee council consortium collaboration agency department ministry board "
                       "foundation network team centre center office commission federation union".split())


def _org_like(text: str) -> bool:
    return bool(set(text.split()) & _ORG_WORDS)


def names_of(item: Item) -> list[Name]:
    for role in ("author", "editor"):
        names = item.get(role)
        found = [n for n in map(_name, names if isinstance(names, list) else ()) if n is not None]
        if found:
            return [n for n in found if n.family or n.group]
    return []


def _acronym(group: str) -> str:
    return "".join(w[0] for w in group.split() if w not in _GROUP_WORDS)


def same_person(a: Name, b: Name) -> bool:
    if a.group or b.group:
        ga, gb = a.group or a.raw_family, b.group or b.raw_family
        if ga == gb or a.family == b.family:
            return True
        return bool(ga and gb) and (_acronym(ga) == gb.replace(" ", "") or _acronym(gb) == ga.replace(" ", ""))
    if a.family == b.family or _close(a.family, b.family):
        return not (a.given and b.given and a.given[0] != b.given[0])
    # given and family swapped on one side ("Daniel, Kahneman" for Kahneman, Daniel)
    return bool(a.given and b.given) and (
        (a.family in (b.given_key, b.given_all) and b.family[:1] == a.given[:1])
        or (b.family in (a.given_key, a.given_all) and a.family[:1] == b.given[:1]))


def _close(a: str, b: str) -> bool:
    """Transliteration variants of one family name (``Kaspe``/``Kaspė``, ``Tsoi``/``Tsoy``)."""
    if not a or not b or a[0] != b[0] or abs(len(a) - len(b)) > 2 or min(len(a), len(b)) < 4:
        return False
    from rapidfuzz.fuzz import ratio

    return ratio(a, b) >= 80


# ------------------------------------------------------------------ fields

_TYPE_FAMILY = {
    "book": "book", "manuscript": "book", "classic": "book", "collection": "book",
    "chapter": "chapter", "entry": "chapter", "entry-encyclopedia": "chapter",
    "entry-dictionary": "chapter",
    "article-journal": "article", "article": "article", "article-magazine": "article",
    "article-newspaper": "article", "review": "article", "review-book": "article",
    "paper-conference": "conference",
    "thesis": "thesis",
    "report": "report", "standard": "report", "legislation": "report", "regulation": "report",
    "posted-content": "preprint",
    "dataset": "dataset", "software": "software", "patent": "patent",
}

_PREPRINT_SERVERS = re.compile(r"\b(?:arxiv|biorxiv|medrxiv|ssrn|preprints?|research square|"
                               r"chemrxiv|psyarxiv|osf preprints|techrxiv|eartharxiv|socarxiv)\b")
_PREPRINT_DOI = re.compile(r"^10\.(?:48550|1101|2139|21203|31234|26434|20944|36227|31219|31235|22541)/")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$")
_ARXIV_ID = re.compile(r"(?:arxiv[:/]\s*|arxiv\.org/(?:abs|pdf)/)((?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[a-z]{2})?/\d{7}))"
                       r"(?:v\d+)?", re.IGNORECASE)


def type_family(item: Item) -> str:
    t = str(item.get("type") or "")
    fam = _TYPE_FAMILY.get(t, "")
    container = norm(str(item.get("container-title") or item.get("publisher") or ""))
    doi = normalize_doi(str(item.get("DOI") or "")) or ""
    if fam in ("article", "") and (_PREPRINT_SERVERS.search(container) or (doi and _PREPRINT_DOI.match(doi))):
        return "preprint"
    return fam


def arxiv_id(item: Item) -> str:
    doi = normalize_doi(str(item.get("DOI") or "")) or ""
    m = _ARXIV_DOI.match(doi)
    if m:
        return re.sub(r"v\d+$", "", m.group(1))
    for f in ("URL", "number", "archive_location", "note", "container-title"):
        value = item.get(f)
        if isinstance(value, str) and "arxiv" in value.lower():
            found = _ARXIV_ID.search(value)
            if found:
                return found.group(1).lower()
    custom = item.get("custom") or {}
    for f in ("eprint", "arxiv"):
        value = custom.get(f) if isinstance(custom, dict) else None
        if isinstance(value, str) and re.match(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+/\d{7})", value.strip(), re.I):
            return re.sub(r"v\d+$", "", value.strip().lower())
    return ""


def _str(item: Item, f: str) -> str:
    v = item.get(f)
    return str(v).strip() if v not in (None, "") else ""


def _num(value: str) -> str:
    """``Vol. 12`` → ``12``, ``2nd`` → ``2``, ``Second edition`` → ``2``, ``II`` → ``2``."""
    if value.isdigit():
        return value.lstrip("0") or "0"
    text = norm(value)
    digits = re.search(r"\d+", text)
    if digits:
        return digits.group(0).lstrip("0") or "0"
    for w in text.split():
        if w in _NUMBER_WORDS:
            return _NUMBER_WORDS[w]
        if _is_roman(w):
            return str(_roman_value(w))
    return text


def _plain(value: str) -> str:
    """A volume or issue as a number can be compared: a month name some exports write
    there (``(Jul)``) says nothing."""
    from refcli.formats.dates import month_number

    return "" if value and not value.isdigit() and month_number(value.strip("()[] ")) else value


# An electronic article number (PLoS ONE's e12724, BMJ's c1804), which a PDF's pages 1-6
# or the print issue's pages stand for; not "s": S123 is a supplement's page.
_ARTICLE_NUMBER = re.compile(r"^[a-rt-z]\d{3,}$")


_PAGE_RANGE = re.compile(r"^\s*([A-Za-z]*\d+[A-Za-z]*|[ivxlcdm]+)\s*(?:[-–—]+\s*([A-Za-z]*\d+[A-Za-z]*|[ivxlcdm]+))?",
                         re.IGNORECASE)
# A page range a spreadsheet took for a date: "1-6" shown as "01-Jun" (or "Jun-01").
_SPREADSHEET_DATE = re.compile(r"^(?:(\d{1,2})-([a-z]{3})|([a-z]{3})-(\d{1,2}))$", re.IGNORECASE)


def pages_of(item: Item) -> tuple[str, str]:
    """(first page, last page) with an abbreviated last page expanded (``123-9`` → 129)."""
    raw = _str(item, "page").lstrip("\"'([ ")  # '"233-8, 230-5"': an export's quoting
    if not raw:
        return "", ""
    if (date := _SPREADSHEET_DATE.match(raw)) and (pages := _spreadsheet_pages(date)):
        return pages
    m = _PAGE_RANGE.match(raw)
    if not m:
        return "", ""  # "Suppl-29", "t-8": an export's damage, not a page
    first, last = m.group(1).lower(), (m.group(2) or "").lower()
    prefix = first[: len(first) - len(first.lstrip("abcdefghijklmnopqrstuvwxyz"))]
    digits = first[len(prefix):]
    if prefix and digits.isdigit() and last.isdigit():
        last = prefix + last  # E329-36: the last page keeps the first one's letters
    if digits.isdigit() and last[len(prefix):].isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last) + len(prefix)] + last[len(prefix):]
    return first.lstrip("0") or first, last.lstrip("0") or last


def _spreadsheet_pages(date: re.Match[str]) -> tuple[str, str] | None:
    """The range behind a day and a month: the smaller number first, whichever order
    the spreadsheet's locale read them in."""
    from refcli.formats.dates import month_number

    day, month = (date.group(1), date.group(2)) if date.group(1) else (date.group(4), date.group(3))
    number = month_number(month)
    if not number:
        return None
    low, high = sorted((int(day), int(number)))
    return str(low), str(high)


def _starts(item: Item) -> set[str]:
    """The first pages of every range a page field lists (``12-15, 30-33``)."""
    return {m.lstrip("0") for m in re.findall(r"(?:^|[+,;]\s*)\W*(\d+)", _str(item, "page"))}


def _year(item: Item) -> int | None:
    from refcli.keys import year_of

    y = year_of(item)
    return int(y) if y and y.lstrip("-").isdigit() else None


def _isbns(item: Item) -> set[str]:
    raw = _str(item, "ISBN")
    out = set()
    for part in re.split(r"[;,\s]+(?=\d)", raw):
        isbn = normalize_isbn(part)
        if isbn:
            out.add(_isbn13(isbn))
    return out


def _isbn13(isbn: str) -> str:
    if len(isbn) == 13:
        return isbn
    core = "978" + isbn[:9]
    check = (10 - sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(core)) % 10) % 10
    return core + str(check)


# What databases add to a journal's name: "[Electronic Resource]", "(00392499)", "(Jul)".
_CONTAINER_NOTE = re.compile(r"\s*(?:\[[^\]]*\]|\([^)]*\))")
# "Stroke; a journal of cerebral circulation", "CMAJ : Canadian Medical Association journal"
_CONTAINER_SUBTITLE = re.compile(r"\s*(?:[;:]|\s[-–—]\s)")


def _words(text: str) -> list[str]:
    return [w for w in norm(text).split() if w not in _STOP]


def _container(item: Item) -> str:
    return _CONTAINER_NOTE.sub("", _str(item, "container-title"))


def _container_name(text: str) -> list[str]:
    """A container's words; a letter an export lost stays a ``?`` that stands for any one
    letter (``fran?aises``): an abbreviation must still find its letters in order
    (``Reanim`` in ``r?animation``)."""
    pieces = _LOST_CHARACTER.split(text)
    if len(pieces) == 1:
        words = _words(text)
    else:
        words = [w for w in "?".join(norm(piece) for piece in pieces).split() if w not in _STOP]
    return _conference(words) if _MEETING.intersection(words) else words


_MEETING = frozenset("proceedings conference symposium workshop congress meeting".split())
# What one database adds to a conference's name and another leaves out: "Proceedings of
# the Sixteenth …", "2007 …", "…, VOLS 1-3".
_CONFERENCE_EXTRA = re.compile(r"^(?:proceedings|proc|vols?|\d+(?:st|nd|rd|th)?)$")


def _conference(words: list[str]) -> list[str]:
    """A conference's name without numbering, year, "proceedings" and a closing acronym
    of the name itself (``… Usable Privacy and Security SOUPS``)."""
    words = [w for w in words if not _CONFERENCE_EXTRA.match(w) and w not in _ORDINALS
             and not w.endswith("teenth") and not w.endswith("tieth")]
    if len(words) > 2 and len(words[-1]) >= 3 and _squeezed(words[-1], words[:-1]):
        words = words[:-1]
    return words


def _container_words(item: Item) -> list[str]:
    return _container_name(_container(item))


def _container_main(item: Item) -> list[str]:
    """The container's name before a subtitle, when it has one."""
    parts = _CONTAINER_SUBTITLE.split(_container(item), maxsplit=1)
    return _container_name(parts[0]) if len(parts) > 1 else []


def containers_agree(a: Item, b: Item) -> bool | None:
    """Whether the containers name one journal/book (abbreviations allowed); None if
    either side has none."""
    wa, wb = _container_words(a), _container_words(b)
    short_a = [w for w in norm(_str(a, "container-title-short")).split() if w not in _STOP]
    short_b = [w for w in norm(_str(b, "container-title-short")).split() if w not in _STOP]
    if not wa and short_a:
        wa = short_a
    if not wb and short_b:
        wb = short_b
    if not wa or not wb:
        return None
    if wa == wb or _lost_letters_equal(wa, wb):
        return True
    # one side names the journal by the main title the other has before its subtitle
    main_a, main_b = _container_main(a), _container_main(b)
    if wa == main_b or wb == main_a:
        return True
    # an abbreviation or acronym of either name, or of its main title ("ICIS : Transforming
    # Society with Digital Innovation")
    for x in (wa, short_a, main_a):
        for y in (wb, short_b, main_b):
            if x and y and (_abbreviates(x, y) or _abbreviates(y, x)):
                return True
    from rapidfuzz.fuzz import ratio

    return ratio(" ".join(wa), " ".join(wb)) >= 90


def _lost_letters_equal(a: list[str], b: list[str]) -> bool:
    """The same words but where one side lost letters (``?``, one letter each)."""
    return len(a) == len(b) and all(
        x == y or len(x) == len(y) and all(c == d or "?" in (c, d) for c, d in zip(x, y, strict=True))
        for x, y in zip(a, b, strict=True))


def _abbreviation_of(short: str, word: str) -> bool:
    """``natl`` of ``national``: same first letter, the rest in order (a lost letter,
    ``?``, stands for any one)."""
    if short[:1] != word[:1] or len(short) > len(word):
        return False
    rest = iter(word[1:])
    if "?" in word:
        return all(any(x in (c, "?") for x in rest) for c in short[1:])
    return all(c in rest for c in short[1:])


def _squeezed(token: str, words: list[str]) -> bool:
    """``apj`` of ``astrophysical journal``: each word gives the next few letters, from its start."""
    if not words:
        return not token
    if not token or token[0] != words[0][0]:
        return False
    return any(_abbreviation_of(token[:k], words[0]) and _squeezed(token[k:], words[1:])
               for k in range(1, len(token) - len(words) + 2))


def _abbreviates(short: list[str], full: list[str]) -> bool:
    """``j chem phys`` abbreviates ``journal chemical physics``: each word a prefix of the
    next full word, in order (full words may be skipped only if they are short)."""
    if len(short) > len(full):
        return False
    if len(short) == 1 and len(full) > 1 and len(short[0]) <= 8:
        # one word: an acronym of the full name (PNAS, JAMA, ApJ)
        return _squeezed(short[0], full)
    i = 0
    for w in short:
        while i < len(full) and not _abbreviation_of(w, full[i]):
            i += 1
        if i == len(full):
            return False
        i += 1
    return True


# ------------------------------------------------------------------ the decision

def title_ratio(a: str, b: str) -> float:
    """Similarity of two normalised titles, articles and prepositions aside
    (``The tragedy of the commons`` / ``Tragedy of the commons``)."""
    from rapidfuzz.fuzz import ratio

    if not a or not b:
        return 0.0
    plain = float(ratio(a, b))
    if plain >= 99.5:
        return plain
    ca, cb = _content(a), _content(b)
    return max(plain, float(ratio(ca, cb)) - 1.0 if ca and cb else 0.0)


def _content(title: str) -> str:
    return " ".join(w for w in title.split() if w not in _STOP)


def decide(a: Item, b: Item) -> Decision:
    """Whether *a* and *b* are one work; RELATED names what *a* is to *b*."""
    pro: list[str] = []
    con: list[str] = []

    # 1. identifiers
    da, db = normalize_doi(_str(a, "DOI")), normalize_doi(_str(b, "DOI"))
    fa, fb = type_family(a), type_family(b)
    if da and db and da == db:
        if {fa, fb} == {"chapter", "book"}:
            return Decision(RELATED, 0.5, "chapter-of" if fa == "chapter" else "contains",
                            ["same DOI"], ["a chapter carries its book's DOI"])
        ta, tb = parse_title(_str(a, "title")), parse_title(_str(b, "title"))
        if ta.kind != tb.kind and (ta.kind or tb.kind):
            return Decision(RELATED, 0.5, _kind_relation(a, b, fa, fb), ["same DOI"],
                            ["one is a notice about the other"])
        (pga, _), (pgb, _) = pages_of(a), pages_of(b)
        if pga and pgb and pga != pgb and ta.full and tb.full and title_ratio(ta.full, tb.full) < TITLE_RELATED:
            # one of them carries a DOI that is not its own: for the user to look at
            return Decision(MAYBE, 0.6, None, ["same DOI"], [f"pages differ ({pga} / {pgb})", "titles differ"])
        return Decision(SAME, 1.0, None, ["same DOI"], [])
    translation = _translation(a, b)
    if translation:
        return translation
    relation = _kind_relation(a, b, fa, fb)
    if da and db:
        con.append(f"different DOIs ({da} / {db})")
        if relation:
            return Decision(RELATED, 0.0, relation, [], con)
        verdict = _related_by_title(a, b, fa, fb)
        if verdict:
            return Decision(RELATED, 0.0, verdict, [], con)
        return Decision(DIFFERENT, 0.0, None, [], con)
    pa, pb = _str(a, "PMID"), _str(b, "PMID")
    if pa and pb:
        if pa == pb:
            return Decision(SAME, 1.0, None, ["same PMID"], [])
        return Decision(DIFFERENT, 0.0, None, [], [f"different PMIDs ({pa} / {pb})"])
    xa, xb = arxiv_id(a), arxiv_id(b)
    if xa and xb and xa == xb:
        if fa == fb or not (da or db) or "" in (fa, fb):
            return Decision(SAME, 1.0, None, ["same arXiv id"], [])
        pro.append("same arXiv id")
    elif xa and xb:
        return Decision(DIFFERENT, 0.0, None, [], [f"different arXiv ids ({xa} / {xb})"])

    if relation:
        return _relation_if_same_subject(a, b, relation)

    # a BibTeX crossref parent: the child is part of it; two different parents, two works
    parent_a, parent_b = _crossref(a), _crossref(b)
    if parent_a and parent_a == str(b.get("id") or ""):
        return Decision(RELATED, 0.3, "part-of", ["crossref names the other"], [])
    if parent_b and parent_b == str(a.get("id") or ""):
        return Decision(RELATED, 0.3, "contains", ["crossref names the other"], [])
    if parent_a and parent_b and parent_a != parent_b:
        return Decision(DIFFERENT, 0.0, None, [], [f"crossref parents differ ({parent_a} / {parent_b})"])

    # 2. kind
    if fa and fb and fa != fb:
        rel = _family_relation(fa, fb)
        if rel:
            return _relation_if_same_subject(a, b, rel)
        if {fa, fb} <= {"article", "conference", "report", "thesis", "book", "chapter", "preprint"}:
            con.append(f"types differ ({fa} / {fb})")

    ia, ib = _isbns(a), _isbns(b)
    ea, eb = _num(_str(a, "edition")), _num(_str(b, "edition"))
    if ea and eb and ea != eb:
        return _relation_if_same_subject(a, b, "edition-of", f"editions differ ({ea} / {eb})")
    if ia and ib and ia & ib and fa == fb == "book":
        same_vol = _num(_str(a, "volume")) == _num(_str(b, "volume"))
        if same_vol:
            return Decision(SAME, 1.0, None, ["same ISBN and edition"], [])

    # 3. titles
    ta, tb = parse_title(_str(a, "title")), parse_title(_str(b, "title"))
    if not ta.full or not tb.full:
        return Decision(DIFFERENT, 0.0, None, [], ["a title is missing"])
    # Evidence that leaves the pair for the user to judge even when all else agrees:
    # "numbers", "swapped", "pages", "first page", "last page", "issue" or "container"
    # (the middle four lifted below by a whole agreement).
    caps: set[str] = set()
    # a dropped subtitle may carry numbers of its own: then the main titles decide
    if ta.numbers != tb.numbers and not (ta.main_numbers == tb.main_numbers and _subtitle_dropped(ta, tb)):
        squeezed_a, squeezed_b = ta.full.replace(" ", ""), tb.full.replace(" ", "")
        numbers = f"numbers in the title differ ({' '.join(ta.numbers) or '-'} / {' '.join(tb.numbers) or '-'})"
        if not _same_place(a, b) or not _one_piece(*pages_of(a)):
            if squeezed_a != squeezed_b:  # p16INK4a / p16(INK4a)
                return Decision(DIFFERENT, 0.0, None, [], [numbers])
        elif not (squeezed_a.startswith(squeezed_b) or squeezed_b.startswith(squeezed_a)):
            # Part I and Part II never fill one range of pages of one volume: a typo
            # (p6INK4a / p16INK4a) or another gene (p18INK4a), for the user to tell;
            # spacing alone (HPV16 / HPV 16, in titles an export cut at different
            # lengths) is no difference
            con.append(numbers)
            caps.add("numbers")
    ratio = title_ratio(ta.full, tb.full)
    subtitle = False
    if ratio < TITLE_SAME and _subtitle_dropped(ta, tb):
        subtitle = True
        ratio = max(ratio, 94.0)
    generic = ta.generic or tb.generic
    if generic:
        con.append("generic title")
    elif ratio >= 99.5:
        pro.append("same title")
    elif subtitle:
        pro.append("same title, subtitle dropped")
    elif ratio >= TITLE_SAME:
        pro.append(f"near-identical titles ({ratio:.0f})")
    elif ratio >= TITLE_RELATED:
        con.append(f"titles differ slightly ({ratio:.0f})")
    else:
        if _same_place(a, b):
            # a title translated two ways (MEDLINE's "[…]" and the journal's own), same
            # piece: certain when the same authors fill the same range of pages
            first, last = pages_of(a)
            na, nb = names_of(a), names_of(b)
            certain = _one_piece(first, last) and min(len(na), len(nb)) >= 2 and _authors(a, b, na, nb) == "match"
            return Decision(SAME if certain else MAYBE, 0.5, None,
                            ["same journal, volume, pages, year and " + ("authors" if certain else "first author")],
                            [f"titles differ ({ratio:.0f})"])
        return Decision(DIFFERENT, 0.0, None, [], [f"titles differ ({ratio:.0f})"])
    if not generic and not subtitle and ratio < 99.5 and (swapped := _swapped_words(ta.full, tb.full)):
        # "… in Adult Patients" / "… in Pediatric Patients": a character ratio hides it
        con.append(f"a word differs ({swapped[0]} / {swapped[1]})")
        caps.add("swapped")

    # 4. vetoes on the discriminators both sides have
    if shifted := _shifted(a, b):
        a = shifted
    elif shifted := _shifted(b, a):
        b = shifted
    if shifted:
        con.append("volume, issue and page shifted by an export")
    vetoes: list[str] = []
    ya, yb = _year(a), _year(b)
    agree: dict[str, bool] = {}
    for f, label in (("volume", "volume"), ("issue", "issue"), ("number", "number")):
        va, vb = _num(_plain(_str(a, f))), _num(_plain(_str(b, f)))
        if f == "volume" and va != vb and (va == str(ya) or vb == str(yb)):
            continue  # "2016" / "94": a magazine's year given as its volume
        if va and vb:
            agree[f] = va == vb
            (pro if va == vb else vetoes).append(f"{label} {va}" if va == vb else f"{label}s differ ({va} / {vb})")
    (pga, pla), (pgb, plb) = pages_of(a), pages_of(b)
    if _ARTICLE_NUMBER.match(pga) and pgb.isdigit() or _ARTICLE_NUMBER.match(pgb) and pga.isdigit():
        # e12724 / 1-6, c1804 / 1014: an article number against the pages of its PDF or print issue
        pga = pgb = ""
    elif _online_first(a, pga, pla, b, pgb, plb) or _online_first(b, pgb, plb, a, pga, pla):
        con.append(f"pages online first and in print ({pga}-{pla} / {pgb}-{plb})")
        pga = pgb = pla = plb = ""
    if pga and pgb and pga != pgb and len(starts := _starts(a)) > 1 and starts == _starts(b):
        pga = pgb  # "233-238+230-235+246-251" / "230-5, 246-51, 233-8": one article in three languages
        pla = plb = ""
    if pga and pgb:
        if pga != pgb and (pga == plb and not pla or pgb == pla and not plb):
            # 359 / 356-359: one export kept only the last page
            con.append(f"a page is the other's last ({pga} / {pgb})")
        elif pga != pgb and (pga.lstrip(_LETTERS) == pgb.lstrip(_LETTERS) or (pla and pla == plb)):
            # c37 / 37 (a journal's page prefix kept by one export), 2297-2108 / 2097-2108
            con.append(f"pages differ ({pga} / {pgb})")
            caps.add("first page" if pla and pla == plb else "pages")
        elif pga != pgb:
            vetoes.append(f"pages differ ({pga} / {pgb})")
        elif pla and plb and pla != plb:
            # two works do not start on one page of one issue: a typo, or a letter and its reply
            con.append(f"last pages differ ({pla} / {plb})")
            caps.add("last page")
        else:
            pro.append(f"same pages ({pga})")
    year_gap = abs(ya - yb) if ya is not None and yb is not None else None
    if year_gap is not None and year_gap > 1:
        vetoes.append(f"years differ ({ya} / {yb})")
    cont = containers_agree(a, b)
    va, vb = _num(_str(a, "volume")), _num(_str(b, "volume"))
    if cont is False and pga and pga == pgb and (va and va == vb or not (va or vb) and pla == plb
                                                   and _one_piece(pga, pla) and year_gap == 0):
        # one journal under two names (a series and its volume's title, a renamed
        # section), or one proceedings ("PROCEEDINGS OF THE 11TH EUROPEAN CONFERENCE …" /
        # "European Conference on …"): the same volume and first page, or the same range
        # of pages in the same year, say where the piece is
        con.append("containers named differently")
    elif cont is False and ratio >= 99.5 and not generic and agree.get("volume") and agree.get("issue") \
            and year_gap == 0:
        # one title in the same volume and issue of the same year: one journal under two
        # names ("Jinko Chino Gakkai Ronbunshi" / "Transactions of the Japanese Society
        # for Artificial Intelligence") or one paper printed twice, for the user to tell
        con.append("containers named differently")
        caps.add("container")
    elif cont is False:
        if fa == fb and fa in ("article", "chapter", "conference"):
            vetoes.append("containers differ")
        else:
            con.append("containers differ")
    elif cont:
        pro.append("same container")
    # One veto against one title in one volume. Pages alone: two exports' page fields,
    # or two pieces (a letter and its reply); the authors decide below whether to ask.
    one_title_one_volume = len(vetoes) == 1 and ratio >= 99.5 and not generic and bool(va) and va == vb
    pages_only = one_title_one_volume and vetoes[0].startswith("pages differ")
    if one_title_one_volume and vetoes[0].startswith("issues differ") and pla and pga == pgb and pla == plb:
        # one title on the same pages of one volume: an issue mistyped, or two issues
        # paginated alike; for the user to tell
        con.append(vetoes.pop())
        caps.add("issue")
    if vetoes and not pages_only:
        return Decision(DIFFERENT, 0.0, None, pro, con + vetoes)
    # One volume of one journal in one year; "at_place" when the first page agrees too,
    # "placed" when the last does not disagree, "ranged" when both give the same range,
    # which two distinct pieces with one title never share.
    in_volume = not vetoes and not generic and cont is True and year_gap == 0 and bool(va) and va == vb
    at_place = in_volume and bool(pga) and pga == pgb
    placed = at_place and ratio >= TITLE_SAME and (not pla or not plb or pla == plb)
    ranged = at_place and pla == plb and _one_piece(pga, pla)

    # 5. authors
    na, nb = names_of(a), names_of(b)
    authors = _authors(a, b, na, nb)
    if len(caps) == 1 and caps & {"last page", "first page"} and authors == "match" and (ratio >= 99.5 or subtitle) \
            and in_volume:
        # one title by the same authors, one end of its pages in one volume: the other end is a typo
        caps.clear()
    if ranged and authors == "match":
        # a title translated or abridged differently, at the same pages of one issue
        caps &= {"issue", "numbers", "container"}
        if ratio < TITLE_SAME:
            return Decision(SAME, 0.8, None, [*pro, "same journal, year, volume and pages", "authors agree"], con)
    same = MAYBE if caps else SAME
    if pages_only:
        return Decision(MAYBE if authors == "match" and year_gap in (0, 1) else DIFFERENT,
                        0.5, None, pro, con + vetoes)
    if authors == "conflict":
        if placed:
            # one title at one place of one journal: the names are an export's damage
            # (given and family exchanged, a compound name split, a group for its
            # members) when most agree loosely; otherwise two letters on one article
            damaged = _loosely_same(na, nb)
            return Decision(same if damaged else MAYBE, 0.8, None,
                            [*pro, "same journal, year, volume and pages"],
                            [*con, "authors differ" if damaged else "authors differ entirely"])
        return Decision(DIFFERENT, 0.0, None, pro, [*con, "authors differ"])
    if authors == "first-differs":
        con.append("first authors differ")
    elif authors == "match":
        pro.append("authors agree")
    elif authors == "none":
        con.append("no authors to compare")

    if generic:
        # Only the piece's place can tell: same container, volume and pages.
        if cont and pga and pgb and year_gap == 0 and authors in ("match", "none"):
            return Decision(same, 0.9, None, pro, con)
        return Decision(DIFFERENT, 0.1, None, pro, con)

    # 6. weigh
    score = ratio / 100 * 0.5 + (0.3 if authors == "match" else 0.1 if authors == "none" else 0.0)
    score += 0.1 if cont else 0.0
    score += 0.1 if year_gap == 0 else 0.0
    strong_title = ratio >= TITLE_SAME
    if year_gap is None:
        con.append("a year is missing")
    elif year_gap == 1:
        con.append(f"years one apart ({ya} / {yb})")
    else:
        pro.append(f"same year ({ya})")
    if "types differ" in " ".join(con):
        return Decision(MAYBE if strong_title and authors == "match" else DIFFERENT, score, None, pro, con)

    book_like = bool({fa, fb} & {"book", "report"}) and {fa, fb} <= {"book", "report", ""}
    if authors == "none" and ratio >= 99.5 and year_gap == 0 and _same_url(a, b):
        # an authorless web page or data set printed alike: its address is what names it
        return Decision(same, score, None, [*pro, "same URL"], con)
    if strong_title and authors == "match":
        if year_gap == 0:
            if book_like and ((ea or eb) and not (ea and eb)) and not (cont or ia & ib):
                return Decision(MAYBE, score, None, pro, [*con, "an edition on one side only"])
            return Decision(same, score, None, pro, con)
        if year_gap == 1:
            # one year apart: online-first vs issue year, only with agreement elsewhere
            if (ratio >= 97 and (cont or (pga and pga == pgb))) and not book_like:
                return Decision(same, score, None, pro, con)
            return Decision(MAYBE, score, None, pro, con)
        # a year is missing on one side: a book only with the same edition stated on both
        if book_like and not (ea and eb) or not (ratio >= 97 or cont or (ea and eb)):
            return Decision(MAYBE, score, None, pro, con)
        return Decision(same, score, None, pro, con)
    if strong_title and authors == "none":
        # No names to agree on: the piece's place must, down to its pages.
        if year_gap == 0 and cont and pga and pga == pgb and (fa == fb or "" in (fa, fb)) and not book_like:
            return Decision(same, score, None, pro, con)
        if year_gap == 0 and ratio >= 99.5 and book_like and not (ea or eb) and (
                _str(a, "publisher") and norm(_str(a, "publisher")) == norm(_str(b, "publisher"))):
            return Decision(same, score, None, [*pro, "same publisher"], con)
        return Decision(MAYBE if year_gap in (0, None) else DIFFERENT, score, None, pro, con)
    if strong_title and authors == "first-differs":
        if placed:
            return Decision(same, score, None, [*pro, "same journal, year, volume and pages"], con)
        return Decision(MAYBE if year_gap in (0, None) and (cont is not False) else DIFFERENT, score, None, pro, con)
    # titles only slightly alike
    if authors == "match" and year_gap in (0, 1, None) and ratio >= 90:
        return Decision(MAYBE, score, None, pro, con)
    return Decision(DIFFERENT, score, None, pro, con)


def _online_first(x: Item, first_x: str, last_x: str, y: Item, first_y: str, last_y: str) -> bool:
    """*x* is the article online before its issue (no volume, its own pages 1-6) and *y*
    the printed one (a volume, as many pages: 2422-2427)."""
    return (first_x == "1" and last_x.isdigit() and not x.get("volume") and bool(y.get("volume"))
            and first_y.isdigit() and last_y.isdigit() and int(last_y) - int(first_y) == int(last_x) - 1)


def _shifted(x: Item, y: Item) -> Item | None:
    """*x* read back when an export moved its fields one place: no volume, *y*'s volume
    as its issue and *y*'s issue as its page ("26" / "9" against 26 (9): 1746)."""
    if x.get("volume") or not y.get("volume") or not y.get("issue"):
        return None
    volume, issue = _num(_str(y, "volume")), _num(_str(y, "issue"))
    if _num(_str(x, "issue")) != volume or pages_of(x) != (issue, ""):
        return None
    fixed = {k: v for k, v in x.items() if k != "page"}
    fixed["volume"], fixed["issue"] = _str(y, "volume"), _str(y, "issue")
    return fixed


def _crossref(item: Item) -> str:
    """The key of the item's BibTeX ``crossref`` parent, as the BibTeX reader keeps it."""
    custom = item.get("custom")
    bibtex = custom.get("bibtex") if isinstance(custom, dict) else None
    fields = bibtex.get("fields") if isinstance(bibtex, dict) else None
    parent = fields.get("crossref") if isinstance(fields, dict) else None
    return parent.strip() if isinstance(parent, str) else ""


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _swapped_words(a: str, b: str) -> tuple[str, str] | None:
    """A content word of each title that the other lacks and has nothing spelled like
    (``adult`` / ``pediatric``), or None: added words and spelling variants
    (``haemolytic`` / ``hemolytic``) are not a swap."""
    from rapidfuzz.fuzz import ratio

    wa, wb = set(a.split()) - _STOP, set(b.split()) - _STOP
    only_a = [w for w in wa - wb if not any(ratio(w, v) >= 75 for v in wb - wa)]
    only_b = [w for w in wb - wa if not any(ratio(w, v) >= 75 for v in wa - wb)]
    if not only_a or not only_b:
        return None
    return min(only_a), min(only_b)


def _subtitle_dropped(ta: Title, tb: Title) -> bool:
    """One title is the other's main title alone (``Deep learning`` / ``Deep learning: a
    review``), or all but a heading before it (``Thrombotic microangiopathy: can
    liver-kidney transplantation cure aHUS?``), and says enough to identify a work."""
    short, long = (ta, tb) if len(ta.full) <= len(tb.full) else (tb, ta)
    if short.full == long.full or short.generic or len(short.full.split()) < 3:
        return False
    if long.main != long.full and long.full == f"{long.main} {short.full}" and short.numbers == long.numbers:
        return True
    # the main title alone, or the words up to a series numeral ("Dynamical friction I")
    return short.full == long.main or (long.full.startswith(short.full + " ") and short.numbers == long.numbers)


def volume_of(item: Item) -> str:
    """The volume as a number ("" for none, or for a month some exports put there)."""
    return _num(_plain(_str(item, "volume"))) if item.get("volume") else ""


def place_of(item: Item) -> tuple[str, str, str] | None:
    """(year, volume, first page) of a journal piece, when it has all three."""
    if not (item.get("volume") and item.get("page") and item.get("issued")):
        return None
    year, volume, (first, _) = _year(item), volume_of(item), pages_of(item)
    return (str(year), volume, first) if year is not None and volume and first else None


def _one_piece(first: str, last: str) -> bool:
    """Pages that one piece fills and no other with the same authors shares: a range of
    a few pages; not one page (many abstracts share it) nor a whole supplement's span
    (what some exports give for every abstract in it)."""
    return first.isdigit() and last.isdigit() and 0 < int(last) - int(first) <= 50


def _same_place(a: Item, b: Item) -> bool:
    """Both are pieces of one journal with the same year, volume, pages and first author
    (when both name one): where a piece is printed names it even when its title was
    translated differently."""
    place = place_of(a)
    if place is None or place != place_of(b) or pages_of(a)[1] != pages_of(b)[1]:
        return False
    na, nb = names_of(a), names_of(b)
    # a record without authors: where it is printed is all there is to go by
    return (not na or not nb or same_person(na[0], nb[0])) and containers_agree(a, b) is True


def _abridged(ta: Title, tb: Title) -> bool:
    """One title is the first six or more words of the other (a notice that shortens the
    long title of the article it corrects)."""
    short, long = (ta, tb) if len(ta.full) <= len(tb.full) else (tb, ta)
    return len(short.full.split()) >= 6 and long.full.startswith(short.full + " ")


def _authors(a: Item, b: Item, na: list[Name], nb: list[Name]) -> str:
    """"match", "first-differs", "conflict" or "none" (a side has no names)."""
    if not na or not nb:
        return "none"
    # "and others": a truncated list agrees on the names it has
    short, long = (na, nb) if len(na) <= len(nb) else (nb, na)
    first_ok = same_person(na[0], nb[0])
    if not first_ok:
        # one side's first author may be missing (a group name in front)
        hits = sum(1 for n in short if any(same_person(n, m) for m in long))
        if hits >= max(2, len(short) - 1) and len(short) >= 2:
            return "first-differs"
        return "conflict"
    if len(short) > 1:
        hits = sum(1 for n in short if any(same_person(n, m) for m in long))
        if hits < len(short) / 2:
            return "first-differs"
    return "match"


def _loosely_same(na: list[Name], nb: list[Name]) -> bool:
    """The first names, and half or more of the shorter list, found in the other as
    exports damage names: the same person, one family name inside the other (``Macedo
    Barcelos`` / ``Barcelos``), a family name written as the given one (``Luis Ferreira,
    Santos A``), or the initials crossed (``Tong, H`` / ``Hua, T``)."""
    short, long = (na, nb) if len(na) <= len(nb) else (nb, na)

    def loose(n: Name, m: Name) -> bool:
        if same_person(n, m):
            return True
        if n.group or m.group:
            return False
        fa, fb = n.family, m.family
        if len(fa) >= 3 and len(fb) >= 3 and (fa in fb or fb in fa):
            return True
        if fa in (m.given_key, m.given_all) or fb in (n.given_key, n.given_all):
            return True
        return bool(n.given and m.given) and fa[:1] == m.given[:1] and fb[:1] == n.given[:1]

    if not short or not loose(na[0], nb[0]):
        return False
    hits = sum(1 for n in short if any(loose(n, m) for m in long))
    return hits * 2 >= len(short)


_URL_DECOR = re.compile(r"^https?://(www\.)?|/+$", re.IGNORECASE)


def _same_url(a: Item, b: Item) -> bool:
    ua, ub = _str(a, "URL"), _str(b, "URL")
    return bool(ua and ub) and _URL_DECOR.sub("", ua).casefold() == _URL_DECOR.sub("", ub).casefold()


# ------------------------------------------------------------------ related works

def _kind_relation(a: Item, b: Item, fa: str, fb: str) -> str | None:
    """What *a* is to *b* when one is a notice (erratum, retraction) about the other."""
    ka, kb = parse_title(_str(a, "title")).kind, parse_title(_str(b, "title")).kind
    ta, tb = str(a.get("type") or ""), str(b.get("type") or "")
    ka = ka or ("erratum" if ta == "erratum" else "retraction" if ta == "retraction" else "")
    kb = kb or ("erratum" if tb == "erratum" else "retraction" if tb == "retraction" else "")
    if ka == kb:
        return None
    if ka and not kb:
        return f"{ka}-of"
    if kb and not ka:
        return "corrected-by" if kb == "erratum" else "retracted-by"
    return None


def _translation(a: Item, b: Item) -> Decision | None:
    """RELATED when one is a translation of the other: its ``original-title`` is the
    other's title and the authors agree (a translation's names may be transliterated)."""
    for x, y, relation in ((a, b, "translation-of"), (b, a, "translated-as")):
        original = parse_title(_str(x, "original-title"))
        title = parse_title(_str(y, "title"))
        if not original.full or not title.full or original.generic or title.generic:
            continue
        ratio = title_ratio(original.full, title.full)
        if ratio < TITLE_SAME and not _subtitle_dropped(original, title):
            continue
        if _authors(x, y, names_of(x), names_of(y)) == "conflict":
            continue
        return Decision(RELATED, 0.3, relation, [f"original title is the other's title ({ratio:.0f})"], [])
    return None


def _family_relation(fa: str, fb: str) -> str | None:
    pair = (fa, fb)
    table = {
        ("preprint", "article"): "preprint-of", ("preprint", "conference"): "preprint-of",
        ("article", "preprint"): "published-as-of", ("conference", "preprint"): "published-as-of",
        ("chapter", "book"): "chapter-of", ("book", "chapter"): "contains",
        ("thesis", "article"): "thesis-version-of", ("article", "thesis"): "article-version-of",
        ("thesis", "book"): "thesis-version-of", ("book", "thesis"): "book-version-of",
        ("conference", "article"): "conference-version-of", ("article", "conference"): "journal-version-of",
        ("report", "article"): "report-version-of", ("article", "report"): "journal-version-of",
    }
    return table.get(pair)


def _related_by_title(a: Item, b: Item, fa: str, fb: str) -> str | None:
    rel = _family_relation(fa, fb) if fa and fb and fa != fb else None
    if rel is None:
        return None
    decision = _relation_if_same_subject(a, b, rel)
    return decision.relation if decision.verdict == RELATED else None


def _relation_if_same_subject(a: Item, b: Item, relation: str, why: str = "") -> Decision:
    """RELATED when the two are about one work (similar title — or a chapter whose book
    is the other — and a shared first author), else DIFFERENT."""
    ta, tb = parse_title(_str(a, "title")), parse_title(_str(b, "title"))
    con = [why] if why else []
    if relation in ("chapter-of", "contains"):
        chapter, book = (a, b) if relation == "chapter-of" else (b, a)
        if parse_title(_str(chapter, "container-title")).full and title_ratio(
                parse_title(_str(chapter, "container-title")).full, parse_title(_str(book, "title")).full) >= TITLE_SAME:
            return Decision(RELATED, 0.3, relation, ["the chapter's book is the other work"], con)
    if ta.generic or tb.generic or not ta.full or not tb.full:
        return Decision(DIFFERENT, 0.0, None, [], [*con, "generic title"])
    ratio = title_ratio(ta.full, tb.full)
    notice = relation in ("erratum-of", "retraction-of", "corrected-by", "retracted-by")
    if notice and _abridged(ta, tb) and containers_agree(a, b):
        # a notice titled with the first words of its article's long title, in the same journal
        return Decision(RELATED, 0.3, relation, ["the notice's title begins the other's", "same container"], con)
    if ratio < TITLE_RELATED and not _subtitle_dropped(ta, tb):
        return Decision(DIFFERENT, 0.0, None, [], [*con, f"titles differ ({ratio:.0f})"])
    if ta.numbers != tb.numbers and not (ta.kind or tb.kind):
        return Decision(DIFFERENT, 0.0, None, [], [*con, "numbers in the title differ"])
    if notice and ratio < TITLE_SAME and not _subtitle_dropped(ta, tb):
        return Decision(DIFFERENT, 0.0, None, [], [*con, f"titles differ ({ratio:.0f})"])
    na, nb = names_of(a), names_of(b)
    # A notice is often signed by the editors, not by the authors of the work it is about.
    if na and nb and not notice and _authors(a, b, na, nb) == "conflict":
        return Decision(DIFFERENT, 0.0, None, [], [*con, "authors differ"])
    return Decision(RELATED, 0.3, relation, [f"titles alike ({ratio:.0f})"], con)
