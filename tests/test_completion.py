"""Shell completion, invoked the way bash, zsh and fish invoke it: a fresh refcli process
with _REFCLI_COMPLETE set (and, for bash, through the real shell and the script that
`refcli --show-completion bash` prints)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIB = r"""
@article{lecun2015deep, author = {LeCun, Yann}, title = {Deep learning}, journal = {Nature}, year = {2015}}
@article{lecun1998gradient, author = {LeCun, Yann}, title = {Gradient-based learning}, journal = {Proc. IEEE}, year = {1998}}
@book{goodfellow2016deep, author = {Goodfellow, Ian}, title = {Deep Learning}, publisher = {MIT Press}, year = {2016}}
"""
BIN = Path(sys.executable).parent


@pytest.fixture
def stocked(refcli, tmp_path):
    (tmp_path / "lib.bib").write_text(BIB)
    assert refcli("add", str(tmp_path / "lib.bib"), "--tag", "thesis").code == 0
    assert refcli("tag", "lecun2015deep", "+Chapter2").code == 0
    return refcli


def _complete(shell: str, line: str, **extra: str) -> list[str]:
    env = {**os.environ, "_REFCLI_COMPLETE": f"complete_{shell}", **extra}
    if shell == "bash":
        words = line.split(" ")
        env.update(COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    else:
        env["_TYPER_COMPLETE_ARGS"] = line
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    proc = subprocess.run([sys.executable, "-m", "refcli"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return [line for line in proc.stdout.splitlines() if line]


def test_bash_completes_commands_options_keys_tags_styles_formats(stocked):
    assert "search" in _complete("bash", "refcli se") and "sync" in _complete("bash", "refcli sy")
    assert "--json" in _complete("bash", "refcli show --")
    assert _complete("bash", "refcli show lecun") == ["lecun1998gradient", "lecun2015deep"]
    assert _complete("bash", "refcli cite lecun2015deep good") == ["goodfellow2016deep"]
    assert _complete("bash", "refcli tag lecun2015deep +th") == ["+thesis"]
    assert _complete("bash", "refcli tag lecun2015deep +ch") == ["+chapter2"]
    assert _complete("bash", "refcli search --json zzz") == []
    styles = _complete("bash", "refcli cite --style chicago-au")
    assert "chicago-author-date" in styles and all(s.startswith("chicago-au") for s in styles)
    assert _complete("bash", "refcli export --format bib") == ["bibtex", "biblatex"]
    assert _complete("bash", "refcli cite x --format ht") == ["html"]


def test_library_option_is_honoured(stocked, tmp_path):
    other = tmp_path / "other.json"
    other.write_text('[\n{"id":"zeta2020","type":"book","title":"Z"}\n]\n')
    assert _complete("bash", f"refcli --library {other} show ze") == ["zeta2020"]
    assert _complete("bash", "refcli show ze") == []


def test_zsh_and_fish(stocked):
    zsh = "\n".join(_complete("zsh", "refcli show lecun"))
    assert '"lecun2015deep"' in zsh and '"lecun1998gradient"' in zsh
    assert _complete("fish", "refcli show lecun") == ["lecun1998gradient", "lecun2015deep"]


def test_no_library_completes_nothing_quietly(refcli):
    assert _complete("bash", "refcli show a") == []


@pytest.mark.skipif(not shutil.which("bash"), reason="bash not installed")
def test_through_real_bash_with_the_shown_script(stocked):
    # Typer asks the parent process which shell it is: bash here, whatever runs pytest (make's sh)
    script = subprocess.run(["bash", "--norc", "-c", f"'{BIN / 'refcli'}' --show-completion; true"],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "SHELL": "/bin/bash"})
    assert script.returncode == 0 and "complete -o default -F" in script.stdout, script.stderr
    run = ('eval "$SCRIPT"; COMP_WORDS=(refcli show lecun); COMP_CWORD=2; '
           '_refcli_completion refcli; printf "%s\\n" "${COMPREPLY[@]}"')
    proc = subprocess.run(["bash", "--norc", "-c", run], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SCRIPT": script.stdout, "PATH": f"{BIN}:{os.environ['PATH']}"})
    assert proc.stdout.split() == ["lecun1998gradient", "lecun2015deep"], proc.stderr


def test_install_completion_writes_the_shell_files(refcli, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    # from bash, as a user types it (Typer asks the parent process which shell it is)
    result = subprocess.run(["bash", "--norc", "-c", f"'{BIN / 'refcli'}' --install-completion; true"],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HOME": str(home), "SHELL": "/bin/bash"})
    assert "refcli" in (home / ".bashrc").read_text(), result.stderr
    assert "refcli" in (home / ".bashrc").read_text()
    installed = list(home.rglob("refcli*"))
    assert installed and "_REFCLI_COMPLETE=complete_bash" in installed[0].read_text()
