"""Text from input files made inert before it is shown.

A title, author or file name is data, yet a terminal obeys the control
characters inside it: ``ESC ] 0 ; … BEL`` sets the window title, ``ESC [ 2 J``
clears the screen, OSC 52 writes the clipboard, and a bidi override makes
``txt.exe`` read as ``exe.txt``. ``inert`` removes all of them (whole escape
sequences, not only their ESC byte, so no payload is left as litter), C0 and C1
controls, DEL and bidi controls. Tabs and line breaks become spaces unless the
layout has room for them (*lines*). Lone surrogates (a file name that was not
UTF-8, decoded by ``os.fsdecode``) are written as ``\\xNN`` so that printing
them cannot fail.

``--json`` output does not pass through here: JSON escapes controls itself, and
it must stay exact.
"""

from __future__ import annotations

import os
import re

# ESC sequences (ECMA-48): CSI with its parameters; the string commands (OSC, DCS,
# SOS, PM, APC) up to their terminator (BEL or ST) or the end of the text; any
# other two-character ESC sequence with its intermediate bytes. Then their 8-bit
# (C1) forms.
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|\Z)"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d\x9e\x9f].*?(?:\x07|\x1b\\|\x9c|\Z)",
    re.DOTALL,
)
# Controls that remain: C0 but tab and newline, DEL, C1, and the bidi controls
# (ALM, LRM, RLM, the embeddings and overrides, the isolates).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\t\n\u2028\u2029]")
_LINE_BREAKS = re.compile(r"[\u2028\u2029]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def inert(text: object, lines: bool = False) -> str:
    """*text* (any value, as ``str``) with nothing a terminal would act on.

    With *lines*, tabs and newlines are kept (a multi-line message); otherwise
    they become spaces (a table cell, one line of output).
    """
    text = text if isinstance(text, str) else str(text)
    if text.isprintable():
        return text  # the common case: controls, bidi marks and surrogates are all unprintable
    text = _CONTROLS.sub("", _SEQUENCES.sub("", text))
    text = _LINE_BREAKS.sub("\n", text) if lines else _BREAKS.sub(" ", text)
    return _SURROGATES.sub(_surrogate, text) if not text.isascii() else text


def path_text(path: str | os.PathLike[str] | bytes) -> str:
    """A file name as text that can be shown and stored (in JSON, in the journal).

    A name that is not valid UTF-8 keeps its valid parts and writes each
    undecodable byte as ``\\xNN`` (Python's ``backslashreplace``), so
    ``caf\\xe9.bib`` is the Latin-1 file ``café.bib``.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")
