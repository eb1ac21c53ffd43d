"""Tokens and their features for the reference-string labeller.

A reference is split on white space (as the training data is), and every token
gets a bag of string features: its own form and shape, its punctuation, cues
from small dictionaries (months, "pp.", "Vol.", "In", "Press", Cyrillic "Т."…),
its relative position, and the same for its neighbours. The punctuation that
ends a token is the strongest cue in any citation style (fields end in ``.``,
``,`` or ``:``), so it is a feature of the token and of the next one.

This runs for every token parsed, so it is plain string work with caches.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from refcli.printed import SEASONS, YEAR, month_names

LEXICON_PATH = Path(__file__).with_name("lexicon.json")
# Labels whose words are worth remembering: a journal's, a publisher's, a place's, a person's.
LEXICON_LABELS = ("author", "journal", "container-title", "publisher", "location", "title")

_STRIP = "\"'“”„‘’«»()[]{}<>.,;:!?*/\\"
_YEAR = re.compile(rf"(?<!\d)({YEAR})(?!\d)")
_RANGE = re.compile(r"^\(?[A-Za-z]?\d+[a-z]?\s*[-–—]\s*[A-Za-z]?\d+[a-z]?\)?[.,;:]?$")
_INITIALS = re.compile(r"^(?:[A-ZА-ЯЁ][a-zа-я]?\.-?){1,4},?$")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

_WORDS: dict[str, tuple[str, ...]] = {
    # English, German, French and Spanish names and the seasons: the shipped model's
    # weights were trained with exactly these words behind this feature.
    "month": (*month_names(("en", "de", "fr", "es")), *SEASONS),
    "in": ("in", "in:", "dans", "en", "im", "в"),
    "ed": ("ed", "eds", "ed.", "eds.", "(ed.)", "(eds.)", "(ed)", "(eds)", "hrsg", "(hrsg.)",
           "editor", "editors", "edited", "(dir.)", "dir.", "(coord.)", "éd.", "(éd.)", "под", "ред."),
    "pages": ("pp", "p", "pages", "page", "s", "с", "стр", "pp.", "p.", "s.", "с."),
    "volume": ("vol", "vols", "volume", "bd", "t", "т", "jg", "tome", "band"),
    "issue": ("no", "nr", "n", "number", "issue", "iss", "№", "heft", "núm", "num"),
    "publisher": ("press", "verlag", "publishers", "publishing", "publications", "books",
                  "university", "universität", "université", "inc", "ltd", "co", "edition",
                  "éditions", "editions", "wiley", "springer", "elsevier", "routledge", "sage",
                  "издательство", "изд", "наука", "gmbh", "llc", "group", "institute"),
    "journal": ("journal", "review", "proceedings", "transactions", "bulletin", "annals",
                "quarterly", "letters", "studies", "zeitschrift", "revue", "revista", "rivista",
                "journals", "magazine", "conference", "symposium", "workshop", "вестник",
                "журнал", "известия", "vestnik", "zhurnal", "acta", "archives", "research"),
    "edition": ("edition", "ed", "edn", "aufl", "auflage", "éd", "изд", "rev", "revised"),
    "thesis": ("thesis", "dissertation", "diss", "phd", "ph.d", "master's", "doctoral",
               "диссертация", "habilitation", "mémoire"),
    "and": ("and", "&", "und", "et", "y", "e", "и", "a"),
    "access": ("retrieved", "accessed", "available", "abgerufen", "consulté", "online",
               "url", "дата", "обращения", "режим", "доступа", "cited"),
    "report": ("report", "paper", "working", "brief", "memo", "technical", "discussion"),
    "etal": ("al", "al.", "al.,", "др", "др."),
}
_LOOKUP: dict[str, str] = {}
for _name, _words in _WORDS.items():
    for _word in _words:
        _LOOKUP.setdefault(_word.strip(_STRIP) or _word, _name)


@lru_cache(maxsize=200_000)
def _shape(word: str) -> str:
    out: list[str] = []
    for char in word:
        if char.isupper():
            kind = "X"
        elif char.isalpha():
            kind = "x"
        elif char.isdigit():
            kind = "d"
        else:
            kind = char
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)[:8]


@lru_cache(maxsize=200_000)
def token_features(token: str) -> tuple[str, ...]:
    """Features of one token on its own (cached: real lists repeat words a lot)."""
    lower = token.lower()
    core = lower.strip(_STRIP)
    feats = [f"w={core[:20]}", f"shape={_shape(token)}", f"suf={core[-3:]}", f"pre={core[:3]}",
             f"end={token[-1]}" if not token[-1].isalnum() else "end=a",
             f"beg={token[0]}" if not token[0].isalnum() else "beg=a"]
    if _YEAR.search(token):
        feats.append("year")
    if core.isdigit():
        feats.append(f"digits={min(len(core), 5)}")
    elif any(c.isdigit() for c in core):
        feats.append("hasdigit")
    if _RANGE.match(token):
        feats.append("range")
    if _INITIALS.match(token):
        feats.append("initials")
    if token[:1].isupper():
        feats.append("cap")
        if token.isupper() and len(core) > 1:
            feats.append("allcaps")
    if _CYRILLIC.search(token):
        feats.append("cyr")
    if _CJK.search(token):
        feats.append("cjk")
    if "http" in lower or "www." in lower:
        feats.append("url")
    if "10." in core and "/" in core:
        feats.append("doi")
    if token in ("//", "/", "–", "—", "-", "—."):
        feats.append("sep")
    if token[:1] in "“\"«‘„'":
        feats.append("qopen")
    if token.rstrip(".,;:")[-1:] in "”\"»’'":
        feats.append("qclose")
    if token[:1] in "([":
        feats.append("popen")
    if token.rstrip(".,;:")[-1:] in ")]":
        feats.append("pclose")
    word_class = _LOOKUP.get(core)
    if word_class:
        feats.append(f"dict={word_class}")
    return tuple(feats)


def core_word(token: str) -> str:
    return token.lower().strip(_STRIP)


def own_features(token: str, lexicon: dict[str, str]) -> tuple[str, ...]:
    """A token's features on its own plus the field its word usually belongs to (the lexicon's)."""
    return _with_lex(token, lexicon.get(core_word(token)))


_LEX = {label: (f"lex={label}",) for label in LEXICON_LABELS}


def _with_lex(token: str, lex: str | None) -> tuple[str, ...]:
    return token_features(token) + (_LEX.get(lex) or (f"lex={lex}",)) if lex else token_features(token)


def build_lexicon(labelled: Iterable[tuple[list[str], list[str]]], min_count: int = 3,
                  min_share: float = 0.6) -> dict[str, str]:
    """Word -> the label it mostly carries in labelled references (from the training split only).

    "Verlag", "Oxford", "Physics" or "Müller" say which field they are in even when
    the model has never seen them next to these neighbours.
    """
    counts: dict[str, Counter[str]] = {}
    for tokens, labels in labelled:
        for token, tag in zip(tokens, labels, strict=True):
            word = core_word(token)
            if len(word) > 1 and not word.isdigit():
                counts.setdefault(word, Counter())[tag] += 1
    lexicon = {}
    for word, tags in counts.items():
        tag, n = tags.most_common(1)[0]
        if tag in LEXICON_LABELS and n >= min_count and n / sum(tags.values()) >= min_share:
            lexicon[word] = tag
    return dict(sorted(lexicon.items()))


@lru_cache(maxsize=1)
def shipped_lexicon() -> dict[str, str]:
    """The lexicon written next to the model by scripts/train_refparse.py (empty without it)."""
    try:
        return json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def tokens_of(text: str) -> list[str]:
    return text.split()


_ABBREV = frozenset(("pp", "p", "vol", "vols", "no", "nr", "ed", "eds", "hrsg", "s", "t", "т", "с", "al", "n°",
                     "etc", "dir", "coord", "trans", "repr", "cf", "st", "jr", "dr", "mr", "ms", "mrs"))
_BAG_CUES = ("year", "dict=journal", "dict=publisher", "dict=pages", "dict=ed", "dict=volume", "dict=issue",
             "dict=month", "dict=thesis", "dict=access", "range", "url", "qopen", "initials",
             "lex=journal", "lex=publisher", "lex=location", "lex=container-title", "lex=author")


_POS = [f"pos={k}" for k in range(10)]
_STOPS = [f"stops={k}" for k in range(7)]
_COMMAS = [f"commas={k}" for k in range(9)]
_SEG = [f"seg={k}" for k in range(7)]
_SEGEND = [f"segend={k}" for k in range(5)]
_INSEG = [f"inseg={k}" for k in range(6)]
_OFFSETS = (-3, -2, -1, 1, 2, 3)
_SEEN = frozenset(("year", "qclose", "url", "dict=in", "dict=ed", "dict=pages", "dict=volume", "dict=issue"))


def _segments(tokens: list[str], own: list[tuple[str, ...]]) -> list[int]:
    """Index of the full-stop segment ("sentence") each token is in.

    A citation style separates its blocks (names. title. container, numbers.) with
    full stops; a token ending in "." closes a block unless it is an initial or a
    common abbreviation ("pp.", "Vol.", "eds.").
    """
    out, seg = [], 0
    for token, feats in zip(tokens, own, strict=True):
        out.append(seg)
        last = token.rstrip("\"'”’»)]")[-1:]
        core = feats[0][2:]
        if last in ".?!" and "initials" not in feats and core not in _ABBREV:
            seg += 1
    return out


@lru_cache(maxsize=100_000)
def _as_neighbour(token: str, lex: str | None) -> tuple[tuple[str, ...], ...]:
    """What a token tells the token ``_OFFSETS[k]`` places away, for each k (cached: words repeat)."""
    own = token_features(token) + ((f"lex={lex}",) if lex else ())
    cues = [x for x in own[6:] if x.startswith(("dict", "year", "q", "p", "initials", "lex"))]
    out = []
    for offset in _OFFSETS:
        told = [f"{offset}:{own[0]}", f"{offset}:{own[4]}"]  # the word, its closing punctuation
        if offset in (-1, 1):
            told.append(f"{offset}:{own[1]}")  # its shape
            told.extend(f"{offset}:{x}" for x in cues)
        out.append(tuple(told))
    return tuple(out)


def _bag(indices: range, own: list[tuple[str, ...]]) -> set[str]:
    """What a segment holds: the cues of its tokens, its length and first word."""
    bag = {x for i in indices for x in own[i][6:] if x in _BAG_CUES}
    n = len(indices)
    bag.add(f"len={n if n < 4 else 4 if n < 8 else 8 if n < 16 else 16}")
    bag.add(f"first={own[indices[0]][0][2:]}" if own[indices[0]][0][2:] in _LOOKUP else "first=_")
    return bag


def sequence_features(tokens: list[str], lexicon: dict[str, str] | None = None) -> list[list[str]]:
    """Features for each token of one reference, with its neighbours' main cues.

    ``lexicon`` defaults to the shipped one; training passes one built without the
    reference's own part of the data, so the model learns how far to trust it.
    """
    if lexicon is None:
        lexicon = shipped_lexicon()
    lex = [lexicon.get(core_word(t)) for t in tokens]
    own = [_with_lex(t, x) for t, x in zip(tokens, lex, strict=True)]
    n = len(tokens)
    out = []
    # Segment context: what the whole full-stop block around a token holds ("a year",
    # "Journal", "Press", "pp.", its length) tells title from container from publisher
    # far better than a two-word window.
    seg_of = _segments(tokens, own)
    bounds: dict[int, range] = {}
    for i, seg in enumerate(seg_of):
        start = bounds[seg].start if seg in bounds else i
        bounds[seg] = range(start, i + 1)
    bags = {}
    for seg, indices in bounds.items():
        bag = sorted(_bag(indices, own))
        bags[seg] = ([f"sb:{x}" for x in bag], [f"psb:{x}" for x in bag], [f"nsb:{x}" for x in bag])
    last_seg = seg_of[-1] if seg_of else 0
    empty: list[str] = []
    before = [bags[seg - 1][1] if seg > 0 else empty for seg in range(last_seg + 1)]
    after = [bags[seg + 1][2] if seg < last_seg else empty for seg in range(last_seg + 1)]
    # What each token tells the token ``offset`` places away (cached per word).
    near = [_as_neighbour(t, x) for t, x in zip(tokens, lex, strict=True)]
    # Running state: which field boundaries lie behind this token. A title follows the
    # first full stop after the names; a container follows "In", a closed quote, a year.
    stops = commas = 0
    seen: list[str] = []
    quoted = parens = False
    for i, feats in enumerate(own):
        token = tokens[i]
        seg = seg_of[i]
        here = bounds[seg]
        f = [*feats, _POS[10 * i // n], _STOPS[min(stops, 6)], _COMMAS[min(commas, 8)], *seen,
             _SEG[min(seg, 6)], _SEGEND[min(last_seg - seg, 4)], _INSEG[min(i - here.start, 5)],
             *bags[seg][0], *before[seg], *after[seg]]
        if i == here.stop - 1:
            f.append("seglast")
        if quoted:
            f.append("inquote")
        if parens:
            f.append("inparens")
        if i:
            f.append(f"bi={own[i - 1][0]}|{feats[0]}")
        else:
            f.append("BOS")
        if i == n - 1:
            f.append("EOS")
        for k, offset in enumerate(_OFFSETS):
            if 0 <= i + offset < n:
                f.extend(near[i + offset][k])
        out.append(f)
        # update the running state with this token
        last = token[-1]
        if last == "." and not _INITIALS.match(token):
            stops += 1
        elif last in ",;:":
            commas += 1
        for x in feats[6:]:
            if x in _SEEN and "seen:" + x not in seen:
                seen.append("seen:" + x)
        if "qopen" in feats and "qclose" not in feats:
            quoted = True
        elif "qclose" in feats:
            quoted = False
        if "popen" in feats and "pclose" not in feats:
            parens = True
        elif "pclose" in feats:
            parens = False
    return out
