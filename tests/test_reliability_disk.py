"""Disk full, permission denied and file modes (issue 6).

Tests run as root, so a read-only directory would not stop them: a tiny wrapper
makes os.replace / os.write fail the way a full or read-only disk does, then
runs refcli's real main(). The library must stay intact, no temp file may be
left behind, and the error must be one line.
"""

from __future__ import annotations

import os
import stat
import subprocess

import pytest

from helpers import read_library
from reliability_util import cli_argv, cli_env, item, write_items

WRAPPER = """
import errno, os, sys
fail, err = sys.argv[1], getattr(errno, sys.argv[2])
real = {"replace": os.replace, "write": os.write}[fail]
def broken(*args, **kw):
    # only the library's writes fail; reading and the lock file still work
    if fail == "write" and args[0] <= 2:
        return real(*args, **kw)
    raise OSError(err, os.strerror(err))
setattr(os, fail, broken)
from refcli.cli import main
sys.argv = ["refcli", *sys.argv[3:]]
main()
"""


@pytest.mark.parametrize("fail, err, text", [
    ("replace", "ENOSPC", "disk full"),
    ("write", "ENOSPC", "disk full"),
    ("replace", "EACCES", "Permission denied"),
    ("replace", "EROFS", "Read-only file system"),
])
def test_failed_write_leaves_library_intact(refcli, library, tmp_path, fail, err, text):
    assert refcli("add", str(write_items(tmp_path / "a.json", [item(5, 1)]))).code == 0
    from refcli import store

    before, entries = library.read_bytes(), store.history(library)
    key = read_library(library)[0]["id"]
    for command in (["add", str(write_items(tmp_path / "b.json", [item(5, 2)]))],
                    ["tag", key, "+x"], ["remove", key, "--yes"]):
        proc = subprocess.run([cli_argv()[0], "-c", WRAPPER, fail, err, *command],
                              capture_output=True, text=True, env=cli_env(), timeout=60)
        assert "Traceback" not in proc.stderr
        assert proc.returncode == 74, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert text in proc.stderr and str(library) in proc.stderr
        assert library.read_bytes() == before
        assert store.history(library) == entries  # a failed write is nothing to undo
    assert not [p for p in library.parent.iterdir() if p.name.endswith(".tmp")], "temp file left"


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o000, 0o666)])
def test_library_and_backups_follow_the_umask(env, library, tmp_path, umask, mode):
    (tmp_path / "in").mkdir()
    files = [write_items(tmp_path / "in" / f"{n}.json", [item(6, n)]) for n in range(2)]

    def run(*args):
        return subprocess.run(cli_argv(*args), capture_output=True, text=True, env=cli_env(),
                              preexec_fn=lambda: os.umask(umask), timeout=60)

    assert run("add", str(files[0])).returncode == 0
    assert run("add", str(files[1])).returncode == 0
    assert stat.S_IMODE(library.stat().st_mode) == mode
    backups = [p for p in library.parent.rglob("*")
               if p.is_file() and p != library and "in" not in p.relative_to(tmp_path).parts[:1]]
    assert backups
    for path in [library, *backups]:
        got = stat.S_IMODE(path.stat().st_mode)
        assert got & ~mode == 0, f"{path.name}: {oct(got)} is wider than the umask allows"
    if umask:
        for path in [library, *backups]:
            assert not path.stat().st_mode & stat.S_IWOTH, f"{path} is world-writable"


def test_bibtex_file_field_is_never_opened_or_written(refcli, library, tmp_path):
    """A `file` field pointing anywhere is kept as data; refcli neither reads nor creates it."""
    target = tmp_path / "outside" / "secret.pdf"
    bib = tmp_path / "f.bib"
    bib.write_text("@article{f1, title={With a file}, author={F, A}, year={2001},"
                   f" file={{:{target}:PDF}}}}\n@article{{f2, title={{Traversal}}, author={{G, B}},"
                   " year={2002}, file={../../../../etc/shadow}}\n")
    res = refcli("add", str(bib))
    assert res.code == 0, res.err
    assert not target.parent.exists()
    assert "root:" not in library.read_text()
