"""refcli.settings: where every setting comes from (option > environment > config.toml >
default), the config file and `refcli config`, the cache dirs and the atomic write."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refcli import settings
from refcli.errors import UsageError


@pytest.fixture
def config(env, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("REFCLI_CONFIG", str(path))
    settings._load.cache_clear()
    yield path
    settings._load.cache_clear()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    settings._load.cache_clear()


def test_environment_beats_config_beats_default(config, monkeypatch, tmp_path):
    monkeypatch.delenv("REFCLI_LIBRARY")
    monkeypatch.delenv("REFCLI_DOI_URL")
    assert settings.library_path() == tmp_path / "data" / "refcli" / "library.json"
    assert settings.lock_timeout() == settings.LOCK_TIMEOUT
    assert settings.http_timeout() == settings.HTTP_TIMEOUT
    assert settings.doi_url() == "https://doi.org"
    _write(config, 'library = "~/refs/lib.json"\nhttp-timeout = 4\nstyle = "ieee"\n')
    assert settings.library_path() == Path("~/refs/lib.json").expanduser()
    assert settings.http_timeout() == 4
    assert settings.cite_style() == "ieee" and settings.cite_style("apa") == "apa"
    monkeypatch.setenv("REFCLI_LIBRARY", str(tmp_path / "env.json"))
    monkeypatch.setenv("REFCLI_LOCK_TIMEOUT", "0")
    monkeypatch.setenv("REFCLI_HTTP_TIMEOUT", "0")  # 0: the default, as before
    assert settings.library_path() == tmp_path / "env.json"
    assert settings.lock_timeout() == 0 and settings.http_timeout() == settings.HTTP_TIMEOUT
    _write(config, "[store]\nlock-timeout = 5\n")  # not read from the file: see lock_timeout
    monkeypatch.delenv("REFCLI_LOCK_TIMEOUT")
    assert settings.lock_timeout() == settings.LOCK_TIMEOUT


def test_cache_dir_from_environment_else_platform(env, monkeypatch, tmp_path):
    assert settings.cache_dir() == Path(env["REFCLI_CACHE_DIR"])
    monkeypatch.delenv("REFCLI_CACHE_DIR")
    assert settings.cache_dir() == tmp_path / "xdgcache" / "refcli"


@pytest.mark.parametrize("text, message", [
    ("style = [\n", "not a valid TOML config file"),
    ("http-timeout = -1\n", "'http-timeout' must be a non-negative number"),
    ('cite-format = "rtf"\n', "'cite-format' must be one of terminal"),
    ("library = 3\n", "'library' must be a file path"),
])
def test_a_wrong_config_names_file_and_key(config, text, message, monkeypatch):
    monkeypatch.delenv("REFCLI_LIBRARY")
    monkeypatch.delenv("REFCLI_HTTP_TIMEOUT", raising=False)
    _write(config, text)
    with pytest.raises(UsageError) as caught:
        settings.library_path(), settings.http_timeout(), settings.cite_format(None, True)
    assert message in str(caught.value) and str(config) in str(caught.value)


def test_a_wrong_environment_number_is_refused(env, monkeypatch):
    monkeypatch.setenv("REFCLI_SEARCH_MIN_SCORE", "high")
    with pytest.raises(UsageError, match="REFCLI_SEARCH_MIN_SCORE"):
        settings.search_min_score()


def test_no_color_is_any_non_empty_value(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "")
    assert not settings.no_color()
    monkeypatch.setenv("NO_COLOR", "0")
    assert settings.no_color()
    monkeypatch.delenv("NO_COLOR")
    assert not settings.no_color()


_scalar = st.one_of(st.booleans(), st.integers(-10**12, 10**12), st.text(),
                    st.floats(allow_nan=False, allow_infinity=False))
_key = st.text(min_size=1, max_size=12)


@given(st.dictionaries(_key, st.one_of(_scalar, st.lists(_scalar, max_size=3),
                                       st.dictionaries(_key, _scalar, max_size=3)), max_size=6))
def test_dump_toml_reads_back_equal(data):
    assert tomllib.loads(settings.dump_toml(data)) == data


def test_write_atomic_replaces_whole_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "file.json"
    settings.write_atomic(target, b"old")
    settings.write_atomic(target, b"new", durable=True)
    assert target.read_bytes() == b"new" and os.listdir(target.parent) == ["file.json"]
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(OSError):
        settings.write_atomic(blocker / "x.json", b"data")
    settings.write_cache(blocker / "x.json", b"data")  # a cache write that fails is quiet


def test_config_set_get_list_unset(refcli, config):
    assert refcli("config", "path").out.strip() == str(config)
    assert refcli("config", "set", "style", "chicago-author-date").code == 0
    assert refcli("config", "set", "writing.width", "72").code == 0
    assert refcli("config", "set", "http-timeout", "5").code == 0
    assert tomllib.loads(config.read_text()) == {"style": "chicago-author-date", "http-timeout": 5,
                                                 "writing": {"width": 72}}
    assert refcli("config", "get", "style").out == "chicago-author-date\n"
    assert refcli("config", "get", "writing.width").out == "72\n"
    listed = refcli("config", "list", "--json").json()
    assert listed == {"style": "chicago-author-date", "http-timeout": 5, "writing.width": 72}
    assert 'style = "chicago-author-date"' in refcli("config", "list").out
    assert refcli("config", "unset", "writing.width").code == 0
    missing = refcli("config", "get", "writing.width")
    assert missing.code == 3 and "not set" in missing.err
    for args in (("set", "cite-format", "rtf"), ("set", "colour", "red"),
                 ("set", "key-template", "{author}{month}"), ("set", "a.b.c", "1")):
        bad = refcli("config", *args)
        assert bad.code == 2 and len(bad.err.strip().splitlines()) == 1, args
    assert "colour" not in config.read_text()


def test_config_defaults_reach_cite_export_and_keys(refcli, config, tmp_path):
    works = tmp_path / "works.json"
    works.write_text(json.dumps([{"type": "article-journal", "title": "Deep learning",
                                  "author": [{"family": "LeCun", "given": "Yann"}],
                                  "issued": {"date-parts": [[2015]]}, "container-title": "Nature"}]))
    assert refcli("config", "set", "key-template", "{author}-{year}").code == 0
    assert refcli("config", "set", "export-format", "ris").code == 0
    assert refcli("config", "set", "style", "ieee").code == 0
    assert refcli("add", str(works)).code == 0
    assert refcli("search", "--keys").out.split() == ["lecun-2015"]
    assert refcli("export").out.startswith("TY  - JOUR")
    assert refcli("cite", "lecun-2015").out.startswith("[1]")  # IEEE's numeric citation
    assert refcli("cite", "lecun-2015", "--style", "apa").out.startswith("(LeCun, 2015)")


def test_style_index_goes_to_the_refcli_cache_dir(refcli, env, tmp_path):
    assert refcli("styles", "harvard").code == 0
    assert list(Path(env["REFCLI_CACHE_DIR"]).glob("csl-style-index-*.json"))
    assert not (tmp_path / "xdgcache").exists()
