"""`refcli pick` through a real pseudo-terminal, as an editor runs it: the terminal is the
pty (the list, the prompt, fzf's screen), standard output a pipe the editor reads."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time

import pytest

BIB = r"""
@article{lecun2015deep, author = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
  title = {Deep learning}, journal = {Nature}, year = {2015}}
@book{goodfellow2016deep, author = {Goodfellow, Ian}, title = {Deep Learning}, publisher = {MIT Press}, year = {2016}}
@article{hochreiter1997long, author = {Hochreiter, Sepp}, title = {Long Short-Term Memory},
  journal = {Neural Computation}, year = {1997}}
"""


@pytest.fixture
def stocked(refcli, tmp_path):
    (tmp_path / "lib.bib").write_text(BIB)
    assert refcli("add", str(tmp_path / "lib.bib")).code == 0
    return refcli


def _controlling_tty() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """refcli on a pty (stdin and stderr), stdout captured."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        self.proc = subprocess.Popen([sys.executable, "-m", "refcli", *args], stdin=slave, stderr=slave,
                                     stdout=subprocess.PIPE, env={**os.environ, "TERM": "xterm", **env},
                                     preexec_fn=_controlling_tty)
        os.close(slave)
        self.screen = b""

    def wait_for(self, text: bytes, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while text not in self.screen:
            assert time.monotonic() < end, self.screen.decode(errors="replace")[-2000:]
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:
                    break

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def finish(self) -> tuple[int, str]:
        out, _ = self.proc.communicate(timeout=60)
        os.close(self.master)
        return self.proc.returncode, out.decode()


def test_builtin_prompt_narrows_and_chooses(stocked):
    term = Terminal(["pick", "deep"], {"REFCLI_PICKER": "builtin"})
    term.wait_for(b"Enter to cancel>")
    assert b"lecun2015deep" in term.screen and b"goodfellow2016deep" in term.screen
    assert b"hochreiter1997long" not in term.screen
    term.type(b"nature\r")
    term.wait_for(b"1  lecun2015deep")
    term.type(b"1\r")
    code, out = term.finish()
    assert code == 0 and out == "[@lecun2015deep]\n"


def test_builtin_prompt_several_as_latex_and_cancel(stocked):
    term = Terminal(["pick", "--format", "latex"], {"REFCLI_PICKER": "builtin"})
    term.wait_for(b"Enter to cancel>")
    term.type(b"3, 1\r")
    code, out = term.finish()
    listing = term.screen.decode()
    first = listing.splitlines()[0].split()[1]
    third = [line.split()[1] for line in listing.splitlines() if line.strip().startswith("3 ")][0]
    assert code == 0 and out == f"\\cite{{{third},{first}}}\n"

    term = Terminal(["pick"], {"REFCLI_PICKER": "builtin"})
    term.wait_for(b"Enter to cancel>")
    term.type(b"\r")
    code, out = term.finish()
    assert code == 1 and out == ""


def test_formatted_citation(stocked):
    term = Terminal(["pick", "long", "--style", "apa"], {"REFCLI_PICKER": "builtin"})
    term.wait_for(b"Enter to cancel>")
    term.type(b"1\r")
    code, out = term.finish()
    assert code == 0 and out == "(Hochreiter, 1997)\n"


@pytest.mark.skipif(not shutil.which("fzf"), reason="fzf not installed")
def test_fzf(stocked):
    term = Terminal(["pick", "--format", "keys"], {"REFCLI_PICKER": ""})
    term.wait_for(b"refcli>")
    term.wait_for(b"3/3")
    term.type(b"hochreiter")
    term.wait_for(b"1/3")
    term.type(b"\r")
    code, out = term.finish()
    assert code == 0 and out == "hochreiter1997long\n"
