"""Every setting refcli reads, in one place: environment, config file, defaults.

A value is looked up in this order, first found wins:

1. the command-line option (the caller passes it; ``None`` means "not given"),
2. the ``REFCLI_*`` environment variable,
3. ``config.toml`` in the user config dir (``refcli config path``),
4. the built-in default.

The config file is TOML: top-level keys for refcli's own settings and one table
per module for anything else (``[import]``, ``[writing]`` …), read with
``section(name)``. ``refcli config get/set/list`` read and change it; a mistyped
value says which file and key is wrong instead of silently falling back.

Also here: the cache, config and data dirs (platformdirs) and ``write_atomic``,
the one "temp file, then rename" every cache writer uses.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from refcli.errors import UsageError

APP = "refcli"

DOI_URL = "https://doi.org"
SEARCH_URL = "https://api.crossref.org/works"
HTTP_TIMEOUT = 10.0
SEARCH_MIN_SCORE = 60.0  # Crossref relevance; below it the best hit is usually another work
LOCK_TIMEOUT = 30.0
CITE_STYLE = "apa"
EXPORT_FORMAT = "bibtex"

CITE_FORMATS = ("terminal", "text", "html", "markdown", "latex")
EXPORT_FORMATS = ("bibtex", "biblatex", "csl-json", "ris")


# ------------------------------------------------------------------ environment


def env_number(name: str, default: float) -> float:
    """The non-negative number in ``$name``, *default* when unset or empty.

    A mistyped setting must say so, not silently fall back to a default the user
    did not choose (a lock timeout of "5s" quietly becoming the default would be a mystery).
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    value = _number(text)
    if value is None:
        raise UsageError(f"{name} must be a non-negative number, got {text!r}")
    return value


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value >= 0 and not math.isinf(value) else None


def no_color() -> bool:
    """``NO_COLOR`` set to anything but the empty string (https://no-color.org)."""
    return bool(os.environ.get("NO_COLOR"))


# ------------------------------------------------------------------ directories


def cache_dir() -> Path:
    """``$REFCLI_CACHE_DIR``, else the platform's user cache dir (XDG on Linux)."""
    env = os.environ.get("REFCLI_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP, appauthor=False))


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP, appauthor=False))


def config_path() -> Path:
    """``$REFCLI_CONFIG``, else ``config.toml`` in the user config dir."""
    env = os.environ.get("REFCLI_CONFIG")
    if env:
        return Path(env).expanduser()
    # Asked once per new key on an import: remembered for the variables platformdirs reads.
    return _default_config_path(os.environ.get("XDG_CONFIG_HOME"), os.environ.get("HOME"))


@functools.cache
def _default_config_path(xdg_config_home: str | None, home: str | None) -> Path:
    return config_dir() / "config.toml"


# ------------------------------------------------------------------ the config file


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(f"cannot read the config file: {exc.strerror}", str(path)) from None
    import tomllib  # only when there is a file to read

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"not a valid TOML config file: {exc}", str(path)) from None


def config() -> dict[str, Any]:
    """The parsed config file (empty when there is none); read once per process."""
    return _load(config_path())


def section(name: str) -> dict[str, Any]:
    """The ``[name]`` table of the config file, for modules with settings of their own."""
    value = config().get(name, {})
    if not isinstance(value, dict):
        raise UsageError(f"'{name}' must be a table ([{name}])", str(config_path()))
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _choice(choices: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return value if value in choices else None
    return check


def _timeout(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return _number(str(value))


# refcli's own keys: how each is checked, what a wrong value should have been.
KNOWN: dict[str, tuple[Callable[[Any], Any], str]] = {
    "library": (_text, "a file path"),
    "style": (_text, "a CSL style name or .csl file"),
    "locale": (_text, "a locale such as en-US"),
    "cite-format": (_choice(CITE_FORMATS), "one of " + ", ".join(CITE_FORMATS)),
    "export-format": (_choice(EXPORT_FORMATS), "one of " + ", ".join(EXPORT_FORMATS)),
    # checked where it is used (refcli.keys), which knows the fields
    "key-template": (_text, "a key template such as '{author}{year}{title}'"),
    "http-timeout": (_timeout, "a non-negative number of seconds"),
}


def _setting(key: str) -> Any:
    """The config file's value for refcli's own *key*, checked; None when absent."""
    value = config().get(key)
    if value is None:
        return None
    check, wanted = KNOWN[key]
    checked = check(value)
    if checked is None:
        raise UsageError(f"'{key}' must be {wanted}, got {value!r}", str(config_path()))
    return checked


def library_path() -> Path:
    """``$REFCLI_LIBRARY``, else the config's ``library``, else the user data dir's library.json."""
    env = os.environ.get("REFCLI_LIBRARY")
    if env:
        return Path(env).expanduser()
    configured = _setting("library")
    if configured:
        return Path(configured).expanduser()
    return data_dir() / "library.json"


def doi_url() -> str:
    return os.environ.get("REFCLI_DOI_URL", DOI_URL).rstrip("/")


def search_url() -> str:
    return os.environ.get("REFCLI_SEARCH_URL", SEARCH_URL)


# Registries other than doi.org (refcli.registries): $REFCLI_<NAME>_URL, else the
# config's [registries] table (``refcli config set registries.arxiv URL``), else these.
REGISTRY_URLS = {
    "arxiv": "https://export.arxiv.org/api/query",
    "isbn": "https://openlibrary.org/api/books",
    "pubmed": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
    "pmc": "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/",
}


def registry_url(name: str) -> str:
    """Base URL of the registry *name* (a key of ``REGISTRY_URLS``), without a final slash."""
    configured = section("registries").get(name)
    url = os.environ.get(f"REFCLI_{name.upper()}_URL") or _text(configured) or REGISTRY_URLS[name]
    return url.rstrip("/")


def http_timeout() -> float:
    """Seconds for each phase of an HTTP request; 0 means the default."""
    value = env_number("REFCLI_HTTP_TIMEOUT", -1.0)
    if value < 0:
        value = _setting("http-timeout") or HTTP_TIMEOUT
    return value or HTTP_TIMEOUT


def search_min_score() -> float:
    return env_number("REFCLI_SEARCH_MIN_SCORE", SEARCH_MIN_SCORE)


def lock_timeout() -> float:
    """Seconds a write waits for another refcli process holding the library.

    Only from the environment: a write that had to find the config file would pay
    for platformdirs even where ``REFCLI_LIBRARY`` names the library."""
    return env_number("REFCLI_LOCK_TIMEOUT", LOCK_TIMEOUT)


def cite_style(option: str | None = None) -> str:
    return option or _setting("style") or CITE_STYLE


def cite_locale(option: str | None = None) -> str | None:
    return option or _setting("locale")


def cite_format(option: str | None, plain: bool) -> str:
    """The ``--format`` given, else the config's, else plain text or the terminal's."""
    return option or _setting("cite-format") or ("text" if plain else "terminal")


def export_format(option: str | None = None) -> str:
    return option or _setting("export-format") or EXPORT_FORMAT


def key_template() -> str | None:
    return _setting("key-template")


# ------------------------------------------------------------------ config get/set/list


def _split_key(key: str) -> list[str]:
    parts = key.split(".")
    if len(parts) > 2 or not all(re.fullmatch(r"[A-Za-z0-9_-]+", p) for p in parts):
        raise UsageError(f"bad config key '{key}': use name or table.name (letters, digits, - and _)")
    if len(parts) == 1 and parts[0] not in KNOWN:
        raise UsageError(f"unknown config key '{key}': refcli's own are {', '.join(KNOWN)};"
                         " other modules' go in a table (table.name)")
    return parts


def get(key: str) -> Any:
    """The config file's value for ``name`` or ``table.name`` (None when unset)."""
    parts = _split_key(key)
    if len(parts) == 1:
        return _setting(key)
    table = section(parts[0])
    return table.get(parts[1])


def flat(data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The config as ``key``/``table.key`` → value, for ``refcli config list``."""
    out: dict[str, Any] = {}
    for key, value in (config() if data is None else data).items():
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def _parse_value(text: str) -> Any:
    """``true``/``false``, a number, or else the text itself."""
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def set_value(key: str, text: str | None) -> Path:
    """Set ``key`` to *text* (``None``: remove it) in the config file and return its path.

    Values of refcli's own keys are checked before anything is written. The file is
    rewritten atomically; its comments and layout are not kept.
    """
    parts = _split_key(key)
    path = config_path()
    data = {k: dict(v) if isinstance(v, dict) else v for k, v in _load(path).items()}
    if text is None:
        target = data if len(parts) == 1 else data.get(parts[0], {})
        if isinstance(target, dict):
            target.pop(parts[-1], None)
            if len(parts) == 2 and not target:
                data.pop(parts[0], None)
    else:
        if len(parts) == 1:
            value: Any = _parse_value(text) if key.endswith("timeout") else text
            check, wanted = KNOWN[key]
            if check(value) is None:
                raise UsageError(f"'{key}' must be {wanted}, got {text!r}")
            data[key] = value
        else:
            table = data.setdefault(parts[0], {})
            if not isinstance(table, dict):
                raise UsageError(f"'{parts[0]}' is a value, not a table", str(path))
            table[parts[1]] = _parse_value(text)
    try:
        write_atomic(path, dump_toml(data).encode("utf-8"), durable=True)
    except OSError as exc:
        raise UsageError(f"cannot write the config file: {exc.strerror}", str(path)) from None
    _load.cache_clear()
    return path


# ------------------------------------------------------------------ writing


def toml_value(value: Any) -> str:
    """One TOML value: a string, number, boolean or list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        import json

        # A JSON string is a TOML basic string, except that TOML wants DEL escaped too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to the config file")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def dump_toml(data: Mapping[str, Any]) -> str:
    """*data* as TOML: scalars and lists at the top, then one ``[table]`` per dict.

    Enough for a config file of flat keys and one level of tables (which is all
    ``refcli config set`` makes); a hand-written file with deeper tables is kept
    as long as nobody changes it with ``config set``.
    """
    lines = [f"{_toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            if any(isinstance(v, dict) for v in table.values()):
                raise UsageError(f"config set cannot rewrite the nested table [{name}]: edit the file")
            lines += ["", f"[{_toml_key(name)}]"]
            lines += [f"{_toml_key(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def write_atomic(path: Path, data: bytes, durable: bool = False) -> None:
    """Write *data* to *path* through a temporary file in the same directory and a
    rename, so a reader sees the old file or the new one, never half of one;
    *durable* also syncs file and directory to disk before returning (user data,
    not caches).

    Raises OSError; callers writing a cache ignore it (an unwritable cache only
    costs time), callers writing something the user asked for report it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as file:
            file.write(data)
            if durable:
                file.flush()
                os.fsync(file.fileno())
        os.replace(tmp, path)
        if durable:
            folder = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_cache(path: Path, data: bytes) -> None:
    """``write_atomic`` for a cache file: a failure only costs the next run its time."""
    with contextlib.suppress(OSError):
        write_atomic(path, data)
