"""PDF-extraction noise for the reference parser's training strings.

Reference strings taken from PDFs are not the clean strings the labelled data holds:
spaces go missing after punctuation or appear before it ("Physics ,43 (3):199-220,Aug"),
initials run together ("W.C.Lee"), line-break hyphens are kept ("Commu-nications",
"Commu- nications") or a real hyphen is lost ("Energyefficient"), an identifier is glued
to its label or split by a space ("doi:10. 1103/…"), ligatures come out as one character
or a control code ("Scienti\\x02c"), accents as a separate spacing mark ("Ko¨nneke"), and
page-range dashes as U+2011, U+0096 or an Elsevier "e" ("772e81").

``noisy`` damages one labelled string (whitespace tokens and their labels) in these ways,
each at its own rate, and keeps every token's label: a token is only glued to a
neighbour of the same field (but for a bare year and the title's first word, "1985The",
labelled date as the parser should read it), and a token split in two gives both halves
its label. The
damage is drawn from the ``random.Random`` passed in, so a seeded caller gets the same
strings on every run (``scripts/train_refparse.training_data``).
"""

from __future__ import annotations

import random
import re

# spacing forms of the combining accents as PDF text gives them after the letter ("o¨")
_SPACING_ACCENT = {"\u0308": "\u00a8", "\u0301": "\u00b4", "\u0300": "`", "\u0302": "^", "\u0303": "~",
                   "\u030c": "\u02c7", "\u0327": "\u00b8", "\u030a": "\u02da"}
_LIGATURES = {"fi": "\ufb01", "fl": "\ufb02", "ff": "\ufb00", "ffi": "\ufb03"}
_BROKEN_LIGATURE = ("\x02", "\x03", "")
_PAGE_DASH = ("\u2013", "\u2011", "\x96", "e")
GLUE = (0.0, 0.0, 0.1, 0.9)
SPACE_BEFORE = (0.0, 0.0, 0.0, 0.3)
_WORD = re.compile(r"^[^\W\d_]{7,}[.,;:]?$")
_BARE_YEAR = re.compile(r"^(?:1[5-9]|20)\d\d[a-z]?\.?$")
_INITIAL = re.compile(r"^(?:[A-Z]\.)+-?(?:[A-Z]\.)*,?$")

# per-opportunity rates: modest, so that a noisy string still mostly looks like its source
# (glue and space_before are drawn per string from GLUE and SPACE_BEFORE: an extractor that
# loses spaces loses them all along a string, "W.C.Lee,Y.E.Chavez,…andB.R.Luce")
RATES = {"initials": 0.5, "hyphen_kept": 0.03, "hyphen_split": 0.02,
         "hyphen_lost": 0.3, "identifier": 0.5, "ligature": 0.5, "accent": 0.6, "page_dash": 0.3,
         "year_title": 0.5}


def _accent_damage(token: str, rng: random.Random) -> str:
    import unicodedata

    out = []
    for ch in unicodedata.normalize("NFD", token):
        out.append(_SPACING_ACCENT.get(ch, ch) if unicodedata.combining(ch) else ch)
    damaged = "".join(out)
    # some extractors put the mark before its letter ("K¨onneke")
    if rng.random() < 0.3:
        damaged = re.sub(r"(\w)([\u00a8\u00b4`^~\u02c7\u00b8\u02da])", r"\2\1", damaged)
    return damaged


def _ligature_damage(token: str, rng: random.Random) -> str:
    for pair in ("ffi", "fi", "fl", "ff"):
        if pair in token:
            glyph = _LIGATURES[pair] if rng.random() < 0.5 else rng.choice(_BROKEN_LIGATURE)
            return token.replace(pair, glyph, 1)
    return token


def _per_token(tokens: list[str], labels: list[str], rng: random.Random) -> list[str]:
    out = []
    for token, label in zip(tokens, labels, strict=True):
        if any(ord(ch) > 0x7f for ch in token) and rng.random() < RATES["accent"]:
            token = _accent_damage(token, rng)
        if any(p in token for p in _LIGATURES) and label in ("title", "journal", "container-title", "publisher") \
                and rng.random() < RATES["ligature"] / 4:
            token = _ligature_damage(token, rng)
        if label == "pages" and re.search(r"\d-\d", token) and rng.random() < RATES["page_dash"]:
            token = re.sub(r"(?<=\d)-(?=\d)", rng.choice(_PAGE_DASH), token, count=1)
        if label in ("title", "journal", "container-title") and re.search(r"[^\W\d_]{3}-[^\W\d_]{3}", token) \
                and rng.random() < RATES["hyphen_lost"]:
            token = re.sub(r"(?<=[^\W\d_])-(?=[^\W\d_])", "", token, count=1)
        out.append(token)
    return out


def _split_words(tokens: list[str], labels: list[str], rng: random.Random, space_before: float
                 ) -> tuple[list[str], list[str]]:
    """Line-break hyphens kept ("Commu-nications") or kept with the break ("Commu- nications");
    a space before punctuation ("Physics ,")."""
    out_t: list[str] = []
    out_l: list[str] = []
    for token, label in zip(tokens, labels, strict=True):
        if label in ("title", "journal", "container-title", "publisher") and _WORD.match(token):
            roll = rng.random()
            if roll < RATES["hyphen_kept"] + RATES["hyphen_split"]:
                cut = rng.randrange(3, len(token.rstrip(".,;:")) - 2)
                head, tail = token[:cut] + "-", token[cut:]
                if roll < RATES["hyphen_kept"]:
                    out_t.append(head + tail)
                    out_l.append(label)
                else:
                    out_t += [head, tail]
                    out_l += [label, label]
                continue
        if len(token) > 1 and token[-1] in ",.;:" and token[-2].isalnum() and rng.random() < space_before:
            out_t += [token[:-1], token[-1]]
            out_l += [label, label]
            continue
        out_t.append(token)
        out_l.append(label)
    return out_t, out_l


def _glue(tokens: list[str], labels: list[str], rng: random.Random, rate: float) -> tuple[list[str], list[str]]:
    """Spaces lost: after punctuation inside a field ("Lee,Y.E."), between initials ("W.C."),
    between an identifier's label and its value or inside it ("doi:10.1103/…")."""
    out_t = [tokens[0]]
    out_l = [labels[0]]
    for token, label in zip(tokens[1:], labels[1:], strict=True):
        prev = out_t[-1]
        glue = False
        if label == out_l[-1]:
            if label in ("doi", "url", "isbn"):
                glue = rng.random() < RATES["identifier"]
            elif _INITIAL.match(prev) and _INITIAL.match(token):
                glue = rng.random() < RATES["initials"]
            elif prev[-1:] in ",.;:)" and token[:1] not in "([":
                glue = rng.random() < rate
        elif label == "title" and out_l[-1] == "date" and _BARE_YEAR.match(prev) and token[:1].isupper():
            # a year set apart from the title by font or position alone ("Zhu J. 1985The giant
            # pandas…"): the glued token is read as the year, the title keeps the rest
            glue = rng.random() < RATES["year_title"]
        if glue:
            out_t[-1] = prev + token
        else:
            out_t.append(token)
            out_l.append(label)
    return out_t, out_l


def _split_identifier(tokens: list[str], labels: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """A DOI broken by a space after its prefix ("10. 1103/PhysRevD…")."""
    out_t: list[str] = []
    out_l: list[str] = []
    for token, label in zip(tokens, labels, strict=True):
        m = re.match(r"^(.*?10\.)(\d{4,}/.+)$", token) if label == "doi" else None
        if m and rng.random() < RATES["identifier"] / 3:
            out_t += [m.group(1), m.group(2)]
            out_l += [label, label]
        else:
            out_t.append(token)
            out_l.append(label)
    return out_t, out_l


def noisy(tokens: list[str], labels: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """One labelled string with PDF-extraction damage; every token keeps its field's label."""
    if not tokens:
        return tokens, labels
    tokens = _per_token(tokens, labels, rng)
    tokens, labels = _split_words(tokens, labels, rng, rng.choice(SPACE_BEFORE))
    tokens, labels = _split_identifier(tokens, labels, rng)
    return _glue(tokens, labels, rng, rng.choice(GLUE))
