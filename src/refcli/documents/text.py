"""Bytes to clean text: encodings (see ``refcli.encoding``), binary junk, Markdown markup."""

from __future__ import annotations

import re
import unicodedata

from refcli.encoding import decode_lines
from refcli.errors import InputError

MAX_TEXT_BYTES = 20 * 1024 * 1024
"""A paper, web page or brief is far smaller; more is a data dump, not a document."""

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are no text document (NULs, or mostly control bytes)."""
    head = data[:8192]
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text has NULs by design
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(head) > 0.05


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)|^\s*<\?xml[^>]+encoding=["']([A-Za-z0-9_.:-]+)""",
                      re.IGNORECASE)


def _declared_charset(data: bytes) -> str | None:
    """The encoding an HTML/XML file declares (Shift_JIS, EUC-KR, GBK pages exist), if any."""
    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii").lower()
    return None if name.replace("-", "") == "utf8" else name


def decode(data: bytes, name: str) -> str:
    """Decode *data* to text with normalised newlines, or raise InputError.

    Why line by line: mixed files are common (copy-paste), and a whole-file
    guess would turn every accented line into mojibake when one line is odd.
    """
    if not data.strip():
        raise InputError("the file is empty", where=name)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return normalize(data[len(bom):].decode(codec))
            except UnicodeDecodeError as exc:
                raise InputError(f"not valid {codec} text despite its byte-order mark",
                                 where=name) from exc
    if looks_binary(data):
        raise InputError("binary data, not a text, HTML or PDF document", where=name)
    try:
        return normalize(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data)
    if declared:
        try:
            return normalize(data.decode(declared))
        except (UnicodeDecodeError, LookupError):
            pass  # the declaration lies or names no known codec: guess line by line
    return normalize(decode_lines(data))


_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")


def normalize(text: str) -> str:
    """NFC, LF newlines, ordinary spaces, no zero-width or soft-hyphen characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    return unicodedata.normalize("NFC", text)


# ------------------------------------------------------------------ Markdown

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_MD_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
# Emphasis marks only at word edges: "utm_source=a_b" in a URL is not emphasis.
_MD_EMPH = re.compile(r"(?<![\w*`])(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1(?![\w*`])")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
_MD_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)

MARKDOWN_CUES = re.compile(r"^\s{0,3}#{1,6}\s+\S|\]\([^)]+\)|^\s*[-*]\s+\S|^\s*---\s*$", re.MULTILINE)


def markdown_front_matter(text: str) -> dict[str, str]:
    """Simple ``key: value`` pairs of a YAML front-matter block (no YAML library needed)."""
    match = _MD_FRONT.match(text)
    if not match:
        return {}
    pairs = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "-")):
            pairs[key.strip().lower()] = value.strip().strip("\"'")
    return pairs


def markdown_to_text(text: str) -> str:
    """Plain text of Markdown: headings as lines, links as "text (url)", no emphasis marks.

    The URL is kept because in reference lists it is often the only identifier.
    """
    text = _MD_FRONT.sub("", text)
    text = _MD_HEADING.sub(r"\1", text)

    def link(match: re.Match[str]) -> str:
        label, url = match.group(1), match.group(2)
        if not url or url in label:
            return label
        return f"{label} ({url})" if label else url

    text = _MD_LINK.sub(link, text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _MD_EMPH.sub(r"\2", text)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.MULTILINE)
    # A bullet starts a new paragraph, so list items stay apart like blank-line ones.
    return re.sub(r"^\s*[-*+]\s+(?=\S)", "\n", text, flags=re.MULTILINE)
