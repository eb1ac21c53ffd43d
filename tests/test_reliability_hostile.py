"""Nothing lost, nothing injected: the store attacked as an adversary would (issue 13).

One test (or more) per row of the issue's table: escape sequences in titles,
authors and journals reaching a real terminal (a pty); lock files that are
symlinks, FIFOs, garbage or deleted while held; a library behind a symlink;
``edit`` racing other writers; ``undo`` after an outside change; a full disk
(a real size-limited tmpfs when the test may mount one); damaged and
newer-format lines anywhere in the file; file names that are not UTF-8; temp
files left by killed processes. Every command runs as a real process.

Each probe's wall time and peak memory (GNU time) are recorded and printed
at the end (``pytest -s``); tests/README.md has the figures of one run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import read_library
from reliability_util import cli_argv, cli_env

FIGURES: dict[str, tuple[int, float, int]] = {}  # probe -> (runs, worst s, worst KB)

OSC_TITLE = "\x1b]0;PWNED-TITLE\x07"
CLEAR = "\x1b[2J"
OSC52 = "\x1b]52;c;Q0xJUEJPQVJE\x07"
PAYLOADS = ("PWNED", "Q0xJUEJPQVJE")


def _record(probe: str, seconds: float, kb: int) -> None:
    runs, worst_s, worst_kb = FIGURES.get(probe, (0, 0.0, 0))
    FIGURES[probe] = (runs + 1, max(worst_s, seconds), max(worst_kb, kb))


TIME = Path("/usr/bin/time")  # GNU time: the peak memory of refcli alone


def _measured(args: tuple[str, ...], report: Path) -> list[str]:
    """refcli's argv, under GNU time when it is installed. (``os.wait4`` on a child of
    pytest would report pytest's own size: Linux keeps the high-water mark across exec.)"""
    return [str(TIME), "-q", "-f", "%M", "-o", str(report), *cli_argv(*args)] if TIME.exists() else cli_argv(*args)


def run(probe: str, *args: str, env: dict | None = None, timeout: float = 120) -> tuple[int, bytes, str]:
    """Run refcli (exit status, stdout bytes, stderr text), measuring its time and peak memory."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "rss"
        started = time.monotonic()
        proc = subprocess.run(_measured(args, report), capture_output=True, stdin=subprocess.DEVNULL,
                              env=env or cli_env(), timeout=timeout)
        _record(probe, time.monotonic() - started, _peak(report))
    text = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    return proc.returncode, proc.stdout, text


def _peak(report: Path) -> int:
    try:
        return int(report.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return 0


def on_tty(probe: str, *args: str) -> tuple[int, bytes]:
    """Run refcli with stdout and stderr on a real pseudo-terminal; all it wrote there."""
    import pty
    import tempfile

    leader, follower = pty.openpty()
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "rss"
        started = time.monotonic()
        proc = subprocess.Popen(_measured(args, report), stdout=follower, stderr=follower,
                                stdin=subprocess.DEVNULL, env=cli_env({"COLUMNS": "200", "TERM": "xterm-256color"}))
        os.close(follower)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # closed and drained
                break
            if not chunk:
                break
            out += chunk
        os.close(leader)
        code = proc.wait(60)
        _record(probe, time.monotonic() - started, _peak(report))
    return code, out


_SGR = re.compile(rb"\x1b\[[0-9;]*m")  # rich's own styling (bold, italic) is allowed


def assert_inert(output: bytes) -> None:
    """No escape sequence but styling, no payload text, no bidi override or C1 control."""
    assert b"\x1b" not in _SGR.sub(b"", output), output
    text = output.decode("utf-8", "replace")
    for payload in PAYLOADS:
        assert payload not in text, text
    assert not re.search("[\u202a-\u202e\u2066-\u2069\x80-\x9f]", text), text


# ------------------------------------------------------------------ terminal output is inert


@pytest.fixture
def hostile_library(env, library, tmp_path):
    bib = tmp_path / "evil.bib"
    bib.write_bytes((f"@article{{bib1,\n  title = {{Bib {OSC_TITLE} title {CLEAR}}},\n"
                     f"  author = {{Evil{OSC52}, Eve}},\n  journal = {{J {CLEAR}red}},\n  year = {{2001}}\n}}\n"
                     ).encode())
    ris = tmp_path / "evil.ris"
    ris.write_bytes((f"TY  - JOUR\nTI  - Ris {OSC_TITLE} title\nAU  - Evil{CLEAR}, Eve\nJO  - J{OSC52}\n"
                     "PY  - 2002\nER  - \n").encode())
    csl = tmp_path / "evil.json"
    csl.write_text(json.dumps([{"id": f"csl{OSC_TITLE}", "type": "book",
                                "title": f"Csl {OSC_TITLE} \u202eexe.txt\x9b2J", "author": [{"family": f"Evil{CLEAR}"}],
                                "container-title": f"J{OSC52}", "issued": {"date-parts": [[2003]]},
                                "custom": {"tags": [f"t{OSC52}"]}}]))
    return {"bib": bib, "ris": ris, "csl": csl}


def test_no_escape_reaches_the_terminal_from_bib_ris_or_csl_json(hostile_library, library):
    files = hostile_library
    for name in ("bib", "ris", "csl"):
        code, out = on_tty("terminal: add (status and merge lines)", "add", str(files[name]))
        assert code == 0, out
        assert_inert(out)
    code, out = on_tty("terminal: add again (merge message)", "add", str(files["csl"]))
    assert code == 0 and b"merged" in out
    assert_inert(out)
    keys = [i["id"] for i in read_library(library)]
    assert len(keys) == 3
    commands = [("search", "evil"), ("search", "--keys"), ("cite", "--all"), ("cite", "--all", "--format", "text"),
                ("export",), ("export", "--format", "ris"), ("tag", keys[2]), ("show", "no-such-key" + OSC_TITLE)]
    commands += [("show", key) for key in keys] + [("show", "--bibtex", key) for key in keys]
    commands += [("refs", key) for key in keys] + [("cited-by", key) for key in keys]
    for command in commands:
        code, out = on_tty(f"terminal: {command[0]}", *command)
        assert code in (0, 1, 3), (command, out)
        assert_inert(out)
    # what does reach the terminal is still the text, only without its controls
    code, out = on_tty("terminal: show", "show", "bib1")
    assert "Bib  title" in _SGR.sub(b"", out).decode()


def test_pipes_get_inert_text_and_json_stays_exact(hostile_library, library):
    for name in ("bib", "ris", "csl"):
        assert run("pipe: add", "add", str(hostile_library[name]))[0] == 0
    for command in (("search", "evil"), ("show", "bib1"), ("cite", "--all"), ("search", "--keys")):
        code, out, err = run(f"pipe: {command[0]}", *command)
        assert code == 0, err
        assert_inert(out + err.encode())
    code, out, _ = run("pipe: show --json", "show", "bib1", "--json")
    assert json.loads(out)["title"] == f"Bib {OSC_TITLE} title {CLEAR}"  # --json is exact
    code, out, _ = run("pipe: search --json", "search", "--json")
    assert any(i["container-title"] == f"J{OSC52}" for i in json.loads(out))


def test_parse_and_import_lines_are_inert(env, tmp_path):
    code, out = on_tty("terminal: parse", "parse", f"Smith, J. (2001). Title {OSC_TITLE}{CLEAR}. Nature, 1, 2-3.")
    assert code == 0
    assert_inert(out)
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><title>Paper {OSC_TITLE}&#27;]52;c;Q0xJUEJPQVJE&#7;</title>"
                    '<meta name="citation_title" content="Paper &#27;]0;PWNED-TITLE&#7; x">'
                    '<meta name="citation_author" content="Evil, Eve"></head><body>'
                    + "<p>Some body text that is long enough to count as a page of text. " * 5
                    + "</p><h2>References</h2><ol><li>Smith, J. (2001). One. Nature, 1, 2-3.</li></ol></body></html>")
    code, out = on_tty("terminal: import (title line)", "import", str(page))
    assert code == 0, out
    assert b"Paper" in out
    assert_inert(out)


@pytest.mark.parametrize("text, one_line, lines", [
    ("plain Müller 日本", "plain Müller 日本", "plain Müller 日本"),
    (f"a{OSC_TITLE}b", "ab", "ab"),
    (f"a{OSC52}b\x1b]52;c;x\x1b\\c", "abc", "abc"),  # OSC ended by BEL, and by ST
    ("a\x1b[2Jb\x1b[31mc\x1b(Bd", "abcd", "abcd"),  # CSI and a charset designation
    ("a\x9b2Jb\x9d0;t\x07c", "abc", "abc"),  # their 8-bit (C1) forms
    ("evil\u202etxt.exe\u2066x\u2069", "eviltxt.exex", "eviltxt.exex"),  # bidi overrides, isolates
    ("a\tb\nc\rd\x00e\x7ff\x08g", "a b cdefg", "a\tb\ncdefg"),
    ("unterminated \x1b]0;title", "unterminated ", "unterminated "),
    ("caf\udce9.bib", "caf\\xe9.bib", "caf\\xe9.bib"),  # os.fsdecode of a Latin-1 name
])
def test_inert_removes_every_control(text, one_line, lines):
    from refcli.terminal import inert

    assert inert(text) == one_line
    assert inert(text, lines=True) == lines
    assert inert(inert(text)) == inert(text)


def test_path_text_escapes_bytes_that_are_not_utf8():
    from refcli.terminal import path_text

    assert path_text(b"caf\xe9.bib") == path_text("caf\udce9.bib") == "caf\\xe9.bib"
    assert path_text("café.bib") == "café.bib"


# ------------------------------------------------------------------ locks that cannot be fooled


def _seed(library: Path, n: int = 3) -> None:
    items = [{"id": f"k{i}", "type": "book", "title": f"Seed {i} é", "author": [{"family": "Doe"}],
              "issued": {"date-parts": [[2000 + i]]}} for i in range(n)]
    src = library.with_name("seed.json")
    src.write_text(json.dumps(items))
    assert run("seed", "add", str(src))[0] == 0


def _lock(library: Path) -> Path:
    return library.with_name(f".{library.name}.lock")


def test_a_symlinked_lock_file_never_touches_its_target(env, library, tmp_path):
    _seed(library)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    lock = _lock(library)
    lock.unlink()
    lock.symlink_to(victim)
    before = library.read_bytes()
    code, _, err = run("lock: symlink", "tag", "k1", "+x")
    assert code == 74 and "symbolic link" in err and len(err.strip().splitlines()) == 1
    assert victim.read_text() == "precious\n" and lock.is_symlink()
    assert library.read_bytes() == before
    lock.unlink()
    os.link(victim, lock)  # a hard link would have its other name's content replaced
    code, _, err = run("lock: hard link", "tag", "k1", "+x")
    assert code == 74 and "hard link" in err
    assert victim.read_text() == "precious\n"


def test_a_fifo_or_garbage_lock_file_gives_a_clear_line(env, library):
    _seed(library)
    lock = _lock(library)
    lock.unlink()
    os.mkfifo(lock)
    code, _, err = run("lock: fifo", "tag", "k1", "+x")
    assert code == 74 and "not a regular file" in err and "Illegal seek" not in err
    lock.unlink()
    lock.write_bytes(f"12{OSC_TITLE}\x1b[2J garbage".encode())
    code, _, err = run("lock: garbage", "tag", "k1", "+x")
    assert code == 0, err
    assert "\x1b" not in err and "PWNED" not in err
    assert lock.read_bytes() == b""
    # A live holder with garbage in its file: the timeout message names no raw pid.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time\nfd = os.open(sys.argv[1], os.O_RDWR)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\nos.write(fd, sys.argv[2].encode())\nprint('held', flush=True)\n"
         "time.sleep(60)\n", str(lock), f"99{OSC52}"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code, _, err = run("lock: garbage held", "tag", "k1", "+y", env=cli_env({"REFCLI_LOCK_TIMEOUT": "0.3"}))
        assert code == 74 and "pid unknown" in err and "\x1b" not in err and "Q0xJ" not in err
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_file_deleted_while_held_loses_no_change(env, library, tmp_path):
    """Writer A holds the lock and is about to save; the lock file is deleted; writer B
    takes a new lock and tags. A must notice its lock is no longer the lock and save
    nothing, so B's change survives (before: both exited 0 and B's tag was lost)."""
    _seed(library)
    go = tmp_path / "go"
    script = ("import sys, time\nfrom pathlib import Path\nfrom refcli import store\n"
              "with store.transaction(Path(sys.argv[1]), 'tag k1 +a') as lib:\n"
              "    lib.get('k1').setdefault('custom', {})['tags'] = ['a']\n"
              "    print('held', flush=True)\n"
              "    while not Path(sys.argv[2]).exists():\n        time.sleep(0.01)\n")
    writer = subprocess.Popen([sys.executable, "-c", script, str(library), str(go)], env=cli_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "held"
    _lock(library).unlink()
    code, _, err = run("lock: deleted while held", "tag", "k1", "+b")
    assert code == 0, err
    go.touch()
    _, err = writer.communicate(timeout=60)
    assert writer.returncode != 0 and "lock file was removed or replaced" in err
    tags = next(i for i in read_library(library) if i["id"] == "k1")["custom"]["tags"]
    assert tags == ["b"]


def test_a_symlinked_library_is_written_through_to_its_target(env, library, tmp_path):
    synced = tmp_path / "Dropbox"
    synced.mkdir()
    real = synced / "library.json"
    library.symlink_to(real)
    _seed(library)
    code, _, err = run("symlinked library", "tag", "k1", "+x")
    assert code == 0, err
    assert library.is_symlink() and os.readlink(library) == str(real)
    assert any(i.get("custom", {}).get("tags") == ["x"] for i in json.loads(real.read_text()))
    assert (synced / ".library.json.backups").is_dir() and (synced / ".library.json.lock").exists()
    assert not list(library.parent.glob(".library.json.backups"))
    assert run("symlinked library", "undo")[0] == 0
    assert library.is_symlink()
    assert not any(i.get("custom", {}).get("tags") for i in json.loads(real.read_text()))


# ------------------------------------------------------------------ edits that merge


def _waiting_editor(tmp_path: Path, change: str) -> tuple[str, Path, Path]:
    """An $EDITOR that applies *change* (Python on dict d), says it is open, then waits for 'go'."""
    ready, go = tmp_path / f"ready-{change[:8].strip()}", tmp_path / "go"
    script = tmp_path / f"editor{len(list(tmp_path.glob('editor*')))}.py"
    script.write_text("import json, sys, time\nfrom pathlib import Path\np = sys.argv[1]\nd = json.load(open(p))\n"
                      f"{change}\njson.dump(d, open(p, 'w'))\nPath({str(ready)!r}).touch()\n"
                      f"while not Path({str(go)!r}).exists():\n    time.sleep(0.01)\n")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}", ready, go


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _quick_editor(tmp_path: Path, change: str) -> str:
    """An $EDITOR that applies *change* (Python on dict d) and exits."""
    script = tmp_path / f"quick{len(list(tmp_path.glob('quick*')))}.py"
    script.write_text(f"import json, sys\np = sys.argv[1]\nd = json.load(open(p))\n{change}\n"
                      "json.dump(d, open(p, 'w'))\n")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def _editing(library: Path, tmp_path: Path, change: str) -> tuple[subprocess.Popen, Path]:
    """`refcli edit k1` of a seeded library, stopped in its editor after *change*; (process, go file)."""
    _seed(library)
    editor, ready, go = _waiting_editor(tmp_path, change)
    proc = subprocess.Popen(cli_argv("edit", "k1"), env=cli_env({"EDITOR": editor}),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(ready, proc)
    return proc, go


def test_edit_keeps_what_other_processes_changed_meanwhile(env, library, tmp_path):
    proc, go = _editing(library, tmp_path, "d['note'] = 'edited'; d['custom']['tags'] = ['mine']")
    # meanwhile: a tag, and a DOI merged in by adding the same work again
    assert run("edit race: tag", "tag", "k1", "+theirs")[0] == 0
    twin = tmp_path / "twin.json"
    twin.write_text(json.dumps([{"id": "other", "type": "book", "title": "Seed 1 é", "author": [{"family": "Doe"}],
                                 "issued": {"date-parts": [[2001]]}, "DOI": "10.5555/twin"}]))
    code, _, err = run("edit race: add", "add", str(twin))
    assert code == 0 and "merged" in err, err
    go.touch()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    work = next(i for i in read_library(library) if i["id"] == "k1")
    assert work["note"] == "edited" and work["DOI"] == "10.5555/twin"
    assert sorted(work["custom"]["tags"]) == ["mine", "theirs"]
    assert work["custom"]["aliases"] == ["other"]  # the merged work's key, added meanwhile
    assert len(read_library(library)) == 3


def test_edit_refuses_when_the_same_field_changed_meanwhile(env, library, tmp_path):
    first, go = _editing(library, tmp_path, "d['title'] = 'Mine'")
    code, _, err = run("edit race: conflict", "edit", "k1",
                       env=cli_env({"EDITOR": _quick_editor(tmp_path, "d['title'] = 'Theirs'")}))
    assert code == 0, err
    go.touch()
    _, err = first.communicate(timeout=60)
    assert first.returncode == 1 and "'title' was changed by another refcli command" in err
    assert next(i for i in read_library(library) if i["id"] == "k1")["title"] == "Theirs"


def test_edit_merge_rules():
    from refcli.editing import EditConflict, merge_edit

    base = {"id": "a", "type": "book", "title": "T", "custom": {"tags": ["x", "y"], "added": "then"}}
    mine = {"id": "a", "type": "book", "title": "T2", "custom": {"tags": ["x", "z"], "added": "then"}}
    theirs = {"id": "a", "type": "book", "title": "T", "DOI": "10.1/d",
              "custom": {"tags": ["x", "y", "w"], "added": "then", "aliases": ["old"]}}
    merged = merge_edit(base, mine, theirs)
    assert merged["title"] == "T2" and merged["DOI"] == "10.1/d"
    assert merged["custom"]["tags"] == ["x", "w", "z"] and merged["custom"]["aliases"] == ["old"]
    without_title = {k: v for k, v in mine.items() if k != "title"}
    assert "title" not in merge_edit(base, without_title, theirs)  # a deletion is a change too
    with pytest.raises(EditConflict):
        merge_edit(base, mine, {**theirs, "title": "T3"})
    with pytest.raises(EditConflict):
        merge_edit(base, mine, {**theirs, "id": "b"})


# ------------------------------------------------------------------ undo that knows what it undoes


def test_undo_never_drops_a_change_made_outside_refcli(env, library, tmp_path):
    _seed(library)
    assert run("undo", "tag", "k1", "+x")[0] == 0
    items = json.loads(library.read_text())
    items[0]["note"] = "typed by hand"
    library.write_text(json.dumps(items))  # a hand edit, or a git pull
    before = library.read_bytes()
    code, _, err = run("undo: outside change", "undo")
    assert code == 74 and "changed outside refcli" in err and "--force" in err
    assert library.read_bytes() == before
    code, _, err = run("undo: --force", "undo", "--force")
    assert code == 0 and "undid: tag k1 +x" in err
    assert not any(i.get("custom", {}).get("tags") for i in read_library(library))
    assert any(p.name.startswith("undone-") for p in (library.parent / ".library.json.backups").iterdir())
    # refcli's own changes, one after another, undo without --force
    assert run("undo", "tag", "k1", "+y")[0] == 0
    assert run("undo", "tag", "k2", "+z")[0] == 0
    assert run("undo", "undo")[0] == 0 and run("undo", "undo")[0] == 0


WRAPPER = """
import errno, os, sys
real = os.replace
def broken(*args, **kw):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
os.replace = broken
from refcli.cli import main
sys.argv = ["refcli", *sys.argv[1:]]
main()
"""


def test_a_failed_write_leaves_no_undo_entry(env, library, tmp_path):
    from refcli import store

    _seed(library)
    entries = store.history(library)
    proc = subprocess.run([sys.executable, "-c", WRAPPER, "tag", "k1", "+x"], capture_output=True,
                          text=True, env=cli_env())
    assert proc.returncode == 74 and "disk full" in proc.stderr
    assert store.history(library) == entries
    code, _, err = run("undo after failed write", "undo")
    assert code == 0 and "undid: add" in err  # the add, not the tag that never happened


def test_a_killed_write_leaves_an_entry_that_undo_skips(env, library):
    """A journal line whose write never happened (killed between the two) is not undone."""
    from refcli import store

    _seed(library)
    folder = store.backup_dir(library)
    os.link(library, folder / "29990101T000000-000000000.json")
    with open(folder / "journal.jsonl", "ab") as fh:
        fh.write(b'{"backup":"29990101T000000-000000000.json","time":"x","change":"tag k1 +never"}\n')
    code, _, err = run("undo", "undo")
    assert code == 0 and "undid: add" in err, err


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB tmpfs; skipped where mounting is not permitted."""
    mount = tmp_path / "small"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system until *leave* bytes or fewer are free."""
    filler = folder / "filler"
    with open(filler, "ab") as fh:
        while True:
            free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
            if free <= leave:
                return
            try:
                fh.write(b"\0" * min(free - leave if free - leave > 0 else 1, 1 << 16))
                fh.flush()
            except OSError:
                return


@pytest.mark.parametrize("leave", [0, 16 * 1024, 200 * 1024])
def test_a_full_disk_is_a_clean_exit_74_at_any_point(env, small_disk, tmp_path, leave):
    from refcli import store

    library = small_disk / "library.json"
    environ = cli_env({"REFCLI_LIBRARY": str(library)})
    src = tmp_path / "seed.json"
    src.write_text(json.dumps([{"id": f"k{i}", "type": "book", "title": f"Seed {i} " + "x" * 400,
                                "author": [{"family": f"Doe{i}"}], "issued": {"date-parts": [[1900 + i]]}}
                               for i in range(300)]))
    assert run("disk", "add", str(src), env=environ)[0] == 0
    _fill(small_disk, leave)
    before, entries = library.read_bytes(), store.history(library)
    big = tmp_path / "big.json"
    big.write_text(json.dumps([{"id": f"b{i}", "type": "book", "title": f"Big {i} " + "y" * 400,
                                "author": [{"family": f"Roe{i}"}]} for i in range(3000)]))
    for command in (["add", str(big)], ["tag", "k1", "+x" * 2000], ["remove", "k2", "--yes"], ["undo"]):
        code, _, err = run(f"disk full ({leave // 1024} KB free)", *command, env=environ)
        if code == 0:  # enough room for a small change: it must then be whole
            assert command[0] != "add"
            before, entries = library.read_bytes(), store.history(library)
            continue
        assert code == 74 and "disk full" in err and len(err.strip().splitlines()) == 1, err
        assert library.read_bytes() == before
        assert store.history(library) == entries
        assert not list(small_disk.glob(".*.tmp"))
    (small_disk / "filler").unlink()
    assert run("disk", "add", str(src), env=environ)[0] == 0  # room again: writes work again
    assert len(read_library(library)) == 300


# ------------------------------------------------------------------ damaged lines


def _damage(library: Path, lineno: int, how: str) -> None:
    lines = library.read_bytes().split(b"\n")
    if how == "truncate":
        lines[lineno - 1] = lines[lineno - 1][:40]
    else:  # written by a newer refcli
        item = json.loads(lines[lineno - 1].rstrip(b","))
        item.setdefault("custom", {})["schema"] = 2
        item["custom"]["tags"] = {"v2": "tags as an object"}
        lines[lineno - 1] = json.dumps(item, ensure_ascii=False).encode() + b","
    library.write_bytes(b"\n".join(lines))


def test_a_truncated_line_is_never_read_as_a_smaller_library(env, library, tmp_path):
    _seed(library, 600)  # titles hold "é": a character offset would name line 500
    assert run("damage", "tag", "k499", "+kept")[0] == 0
    _damage(library, 501, "truncate")
    damaged = library.read_bytes()
    for command in (("search", "doe"), ("search", "--json"), ("show", "k499"), ("show", "k1"),
                    ("cite", "k1"), ("export",), ("export", "--format", "csl-json"),
                    ("tag", "k1", "+x"), ("add", str(library.with_name("seed.json"))), ("remove", "k3", "--yes"),
                    ("doctor",)):
        code, _, err = run(f"damaged line: {command[0]}", *command)
        assert code in (74, 1), (command, err)
        assert ":501" in err or "line 501" in err, (command, err)
        assert library.read_bytes() == damaged, command
    code, _, err = run("damaged line: doctor --fix", "doctor", "--fix")
    assert code == 0, err
    assert "line 501: restored k499 from backup" in err
    items = read_library(library)
    assert len(items) == 600 and next(i for i in items if i["id"] == "k499")["title"] == "Seed 499 é"
    rescued = list((library.parent / ".library.json.backups").glob("damaged-*.txt"))
    assert rescued and b'"k499"' in rescued[0].read_bytes()
    assert run("damaged line: search after fix", "search", "--keys")[1].count(b"\n") == 600


def test_a_line_from_a_newer_refcli_in_the_middle_is_never_rewritten(env, library):
    _seed(library, 50)
    _damage(library, 27, "newer")
    newer = library.read_bytes()
    for command in (("show", "k1"), ("search", "doe"), ("tag", "k25", "+x"), ("tag", "k1", "+x"),
                    ("doctor", "--fix"), ("export",)):
        code, _, err = run(f"newer line: {command[0]}", *command)
        assert code in (74, 1), (command, err)
        assert "newer refcli" in err and ("line 27" in err or ":27" in err), (command, err)
        assert library.read_bytes() == newer, command


def test_gitmerge_refuses_a_damaged_side(tmp_path):
    from refcli import gitmerge, store
    from refcli.errors import LibraryError

    good = tmp_path / "base.json"
    store.atomic_write(good, store.dumps([{"id": f"k{i}", "title": "é" * i} for i in range(10)]))
    bad = tmp_path / "theirs.json"
    lines = good.read_bytes().split(b"\n")
    lines[6] = lines[6][:12]
    bad.write_bytes(b"\n".join(lines))
    ours = tmp_path / "ours.json"
    ours.write_bytes(good.read_bytes())
    with pytest.raises(LibraryError, match=":7"):
        gitmerge.merge_files(good, ours, bad)
    assert ours.read_bytes() == good.read_bytes()


# ------------------------------------------------------------------ any file name


def test_file_names_that_are_not_utf8(env, library, tmp_path):
    folder = os.fsencode(tmp_path)
    bib = os.path.join(folder, b"caf\xe9.bib")
    with open(bib, "w") as fh:
        fh.write("@article{a1, title={T}, author={Doe, J}, year={2001}}\n")
    text = os.path.join(folder, b"r\xe9f\xff.txt")
    with open(text, "w") as fh:
        fh.write("A study of things\n\nReferences\n1. Smith, J. (2001). One. Nature, 1, 2-3.\n")
    code, _, err = run("non-UTF-8: add", "add", os.fsdecode(bib))
    assert code == 0 and "caf\\xe9.bib" in err, err
    code, _, err = run("non-UTF-8: import", "import", os.fsdecode(text))
    assert code == 0, err
    sources = [s["source"] for i in read_library(library) for s in i.get("custom", {}).get("sources", [])]
    assert any(s.endswith("caf\\xe9.bib") for s in sources) and any("r\\xe9f\\xff.txt" in s for s in sources)
    odd = os.path.join(folder, b"lib\xff")
    os.mkdir(odd)
    other = os.fsdecode(os.path.join(odd, b"library.json"))
    for command in (("add", os.fsdecode(bib)), ("search", "doe"), ("show", "a1"), ("tag", "a1", "+x"),
                    ("cite", "a1"), ("export",), ("undo",), ("show", "missing")):
        code, _, err = run(f"non-UTF-8 library: {command[0]}", "--library", other, *command)
        assert code in (0, 3), (command, err)
    assert "lib\\xff" in run("non-UTF-8 library", "--library", other, "show", "missing")[2]


# ------------------------------------------------------------------ temp files of killed processes


def test_temp_files_of_dead_processes_are_removed_on_the_next_write(env, library, tmp_path):
    _seed(library)
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = library.with_name(f".{library.name}.{dead.pid}.tmp")
    stale.write_bytes(b"[\n{")
    live = library.with_name(f".{library.name}.{os.getpid()}.tmp")  # a live writer's: kept
    live.write_bytes(b"[\n{")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    editor_left = tmpdir / f"refcli-edit-{dead.pid}-k1-abcd.json"
    editor_left.write_text("{}")
    assert run("temp files", "tag", "k1", "+x")[0] == 0
    assert not stale.exists() and live.exists()
    live.unlink()
    code, _, err = run("temp files", "edit", "k1", env=cli_env({"EDITOR": _quick_editor(tmp_path, "d['note'] = 'x'"),
                                                               "TMPDIR": str(tmpdir)}))
    assert code == 0, err
    assert not editor_left.exists() and not list(tmpdir.iterdir())


def test_a_killed_edit_leaves_a_file_the_next_edit_removes(env, library, tmp_path):
    _seed(library)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    editor, ready, _ = _waiting_editor(tmp_path, "pass")
    environ = cli_env({"EDITOR": editor, "TMPDIR": str(tmpdir)})
    proc = subprocess.Popen(cli_argv("edit", "k1"), env=environ, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    _wait_for(ready, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # refcli and its editor
    proc.wait()
    assert len(list(tmpdir.iterdir())) == 1
    code, _, err = run("temp files", "edit", "k2", env=cli_env({"EDITOR": _quick_editor(tmp_path, "d['note'] = 'x'"),
                                                               "TMPDIR": str(tmpdir)}))
    assert code == 0, err
    assert not list(tmpdir.iterdir())


def teardown_module() -> None:
    if FIGURES:
        print("\nprobe | runs | worst s | worst MB")
        for probe, (runs, seconds, kb) in sorted(FIGURES.items()):
            print(f"{probe} | {runs} | {seconds:.2f} | {kb / 1024:.0f}")
