"""Two people change one shared library in git; nobody's work is lost."""

import json
import shutil
import subprocess

import pytest

from refcli.gitmerge import merge3


def art(key, title, **kw):
    return {"id": key, "type": "article-journal", "title": title,
            "author": [{"family": key.rstrip("0123456789x").title(), "given": "A."}],
            "issued": {"date-parts": [[2020]]}, **kw}


def test_merge3_rules():
    base = [art("smith2001", "Old"), art("jones2002", "Kept"), art("gone2003", "Delete me")]
    ours = [art("smith2001", "Old", volume="1"), art("jones2002", "Kept"),
            art("ours2020", "Our addition"), art("same2021", "Same work", DOI="10.1234/same")]
    theirs = [art("smith2001", "Old", page="5-9"), art("jones2002", "Kept edited"),
              art("gone2003", "Delete me"), art("theirs2020", "Their addition"),
              art("same2021x", "Same work", DOI="10.1234/SAME", note="theirs")]
    merged = {i["id"]: i for i in merge3(base, ours, theirs)}
    assert set(merged) == {"smith2001", "jones2002", "ours2020", "theirs2020", "same2021"}
    assert merged["smith2001"]["volume"] == "1" and merged["smith2001"]["page"] == "5-9"
    assert merged["jones2002"]["title"] == "Kept edited"
    assert merged["same2021"]["note"] == "theirs"
    assert merged["same2021"]["custom"]["aliases"] == ["same2021x"]


def test_same_new_key_for_different_works_keeps_both():
    ours = [art("lee2020", "Mine")]
    theirs = [art("lee2020", "Completely different")]
    merged = merge3([], ours, theirs)
    assert [(i["id"], i["title"]) for i in merged] == [("lee2020", "Mine"), ("lee2020a", "Completely different")]


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_real_git_merge_of_two_branches(refcli, tmp_path):
    repo = tmp_path / "lab"
    repo.mkdir()
    lib = repo / "library.json"

    def git(*args):
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                              env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x",
                                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x",
                                               "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    def add(item):
        path = tmp_path / "one.json"
        path.write_text(json.dumps([item]))
        result = refcli("--library", str(lib), "add", str(path))
        assert result.code == 0, result.err

    git("init", "-q", "-b", "main")
    add(art("base2000", "Base work"))
    assert refcli("--library", str(lib), "git-setup").code == 0
    git("add", "-A")
    git("commit", "-qm", "base")
    git("checkout", "-qb", "alice")
    add(art("alice2024", "Alice adds this"))
    git("commit", "-qam", "alice")
    git("checkout", "-q", "main")
    add(art("bob2024", "Bob adds that"))
    git("commit", "-qam", "bob")
    git("merge", "-q", "--no-edit", "alice")
    keys = [i["id"] for i in json.loads(lib.read_text())]
    assert sorted(keys) == ["alice2024", "base2000", "bob2024"]
