"""The citation keys a manuscript uses: LaTeX ``.aux`` and ``.tex`` files, pandoc Markdown.

- ``.aux``: BibTeX's ``\\citation{a,b}``, biblatex's ``\\abx@aux@cite{0}{key}`` (and the
  older one-argument form), and the ``.aux`` files of ``\\include``d chapters that the
  main one pulls in with ``\\@input{chapter.aux}``.
- ``.tex``: every natbib and biblatex citation command (``\\cite``, ``\\citep``,
  ``\\citet*``, ``\\parencite``, ``\\textcite``, ``\\autocite``, ``\\footcite``,
  ``\\citeauthor`` …, the multi-cite ``\\cites(pre)(post)[p][q]{a}[r]{b}``, and
  ``\\nocite``), several keys per command, comments skipped.
- Markdown: pandoc's ``@key``, ``@{key}``, ``[@a; @b, p. 3]``, ``[-@key]`` outside code.

``\\nocite{*}`` / ``@*`` mean every work. Scanning is text matching only: nothing in
the file is run, and an ``\\@input`` path may not leave the first file's folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from refcli.errors import InputError

MAX_BYTES = 50 * 1024 * 1024
MAX_AUX_FILES = 500


@dataclass
class Cited:
    """Keys in first-citation order, without repeats; ``everything`` for ``\\nocite{*}``."""

    keys: list[str] = field(default_factory=list)
    everything: bool = False
    warnings: list[str] = field(default_factory=list)

    def add(self, key: str) -> None:
        key = key.strip()
        if key == "*":
            self.everything = True
        elif key and key not in self._seen:
            self._seen.add(key)
            self.keys.append(key)

    def __post_init__(self) -> None:
        self._seen: set[str] = set(self.keys)


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"too large for a manuscript (over {MAX_BYTES // 2**20} MB)", str(path))
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a manuscript", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", str(path)) from None
    if b"\0" in data[:8192]:
        raise InputError("is a binary file, not a manuscript (.aux, .tex or Markdown)", str(path))
    return data.decode("utf-8", errors="replace")


def scan(path: str | Path) -> Cited:
    """The keys cited in the manuscript at *path*, told apart by its extension
    (``.aux``; ``.tex``/``.ltx``/``.sty``; anything else is read as pandoc Markdown)."""
    p = Path(path)
    suffix = p.suffix.lower()
    cited = Cited()
    if suffix == ".aux":
        _scan_aux(p, cited, p.resolve().parent, set())
    elif suffix in (".tex", ".ltx", ".latex"):
        scan_tex(_read(p), cited)
    else:
        scan_markdown(_read(p), cited)
    return cited


# ------------------------------------------------------------------ .aux

_AUX = re.compile(r"\\citation\{([^}]*)\}|\\abx@aux@cite\{([^}]*)\}(?:\{([^}]*)\})?|\\@input\{([^}]*)\}")


def _scan_aux(path: Path, cited: Cited, root: Path, seen: set[Path]) -> None:
    real = path.resolve()
    if real in seen or len(seen) >= MAX_AUX_FILES:
        return
    seen.add(real)
    for match in _AUX.finditer(_read(path)):
        natbib, first, second, child = match.groups()
        if natbib is not None:
            for key in natbib.split(","):
                cited.add(key)
        elif first is not None:  # biblatex >= 3.x: {refsection}{key}; older: {key}
            cited.add(second if second is not None else first)
        elif child:
            target = (path.parent / child).resolve()
            if not target.is_relative_to(root):
                cited.warnings.append(f"{path}: not following \\@input{{{child}}} outside {root}")
            elif target.exists():
                _scan_aux(target, cited, root, seen)
            else:
                cited.warnings.append(f"{path}: \\@input{{{child}}} not found (compile the document first)")


# ------------------------------------------------------------------ .tex

# natbib and biblatex citation commands: anything with "cite" in its name, and \nocite,
# less the commands that only configure citing.
_TEX_COMMAND = re.compile(r"\\([A-Za-z]*cite[A-Za-z]*)\*?")
_NOT_CITING = frozenset({"citestyle", "citeindextrue", "citeindexfalse", "citetrackertrue",
                         "citetrackerfalse", "citereset", "citesetup", "citeindextype", "citeurl",
                         "citenumfont", "citeleft", "citeright", "citepunct", "citeauthoryear",
                         "bibcite", "citecounter"})
_COMMENT = re.compile(r"(?<!\\)%.*")


def _group(text: str, start: int, open_: str, close: str) -> int | None:
    """End (after *close*) of the balanced group opening at *start*, or None."""
    if start >= len(text) or text[start] != open_:
        return None
    depth = 0
    for i in range(start, min(len(text), start + 10_000)):
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def scan_tex(text: str, cited: Cited) -> None:
    text = "\n".join(_COMMENT.sub("", line) for line in text.split("\n"))
    for match in _TEX_COMMAND.finditer(text):
        name = match.group(1)
        if name in _NOT_CITING:
            continue
        multi = name.endswith("cites")  # \cites, \parencites, \textcites, \autocites ...
        i = match.end()
        # \cites(pre)(post) takes global notes in parentheses first
        while multi and (end := _group(text, _skip_space(text, i), "(", ")")) is not None:
            i = end
        while True:
            j = _skip_space(text, i)
            while (end := _group(text, j, "[", "]")) is not None:  # [prenote][postnote]
                j = _skip_space(text, end)
            end = _group(text, j, "{", "}")
            if end is None:
                break
            for key in text[j + 1 : end - 1].split(","):
                cited.add(key)
            i = end
            if not multi:
                break


# ------------------------------------------------------------------ pandoc Markdown

# pandoc: a key starts with a letter, digit or _, and may hold internal punctuation
# (:.#$%&-+?<>~/); '@' must not follow a word character (e-mail addresses).
_MD_KEY = re.compile(r"(?<![\w@])-?@(?:\{([^{}\s]+)\}|(\*|[\w][\w:.#$%&\-+?<>~/]*))")
_FENCE = re.compile(r"^(```|~~~)")
_INLINE_CODE = re.compile(r"`+[^`]*`+")


def scan_markdown(text: str, cited: Cited) -> None:
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":  # YAML front matter: only nocite counts
        for n in range(1, len(lines)):
            if lines[n].strip() in ("---", "..."):
                front = "\n".join(lines[1:n])
                nocite = re.search(r"^nocite:(.*(?:\n[ \t]+.*)*)", front, re.MULTILINE)
                if nocite:
                    _scan_md_line(nocite.group(1), cited)
                start = n + 1
                break
    in_code = False
    for line in lines[start:]:
        if _FENCE.match(line.lstrip()):
            in_code = not in_code
            continue
        if in_code or line.startswith(("    ", "\t")) and not line.strip().startswith(("-", "*", "[")):
            continue
        _scan_md_line(_INLINE_CODE.sub(" ", line), cited)


def _scan_md_line(line: str, cited: Cited) -> None:
    for match in _MD_KEY.finditer(line):
        key = match.group(1) or match.group(2)
        cited.add(key if match.group(1) else key.rstrip(":.#$%&-+?<>~/"))
