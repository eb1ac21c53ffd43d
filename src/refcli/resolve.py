"""Metadata by DOI: content negotiation against doi.org, cached on disk.

``GET https://doi.org/<doi>`` with ``Accept: application/vnd.citationstyles.csl+json``
makes the registration agency (Crossref, DataCite, mEDRA, …) answer in CSL-JSON,
so one request works for every DOI. The base URL comes from ``REFCLI_DOI_URL`` so
tests can point it at a local server. Only http(s), bounded redirects, a time-out
on every phase, a cap on the body, bounded retries on 429/5xx honouring
``Retry-After``, and the JSON is checked before use.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from refcli import settings
from refcli.dedupe import fold
from refcli.errors import InputError, NetworkError, NotFoundError
from refcli.identifiers import normalize_doi
from refcli.vocabulary import NAME_PARTS, VARIABLES

ACCEPT = "application/vnd.citationstyles.csl+json"
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
RETRIES = 3
MAX_RETRY_WAIT = 10.0

# CSL variables worth keeping from a registry's answer; the rest (indexed,
# deposited, score, member, link…) is registry bookkeeping, and Crossref's
# "license" is a list of licence records, not CSL's licence text.
CSL_FIELDS = (VARIABLES | {"type", "id", "categories", "journalAbbreviation", "shortTitle"}) - {"license"}
_NAME_KEYS = NAME_PARTS


def _cache_file(doi: str) -> Path:
    digest = hashlib.sha256(f"{settings.doi_url()}|{doi}".encode()).hexdigest()[:32]
    return settings.cache_dir() / "doi" / f"{digest}.json"


def _first(value: Any) -> Any:
    """Registries sometimes send one-element lists where CSL wants a string."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value[0] if value else ""
    return value


def to_item(data: Any, doi: str) -> dict[str, Any]:
    """Check a registry's CSL-JSON and keep what the library stores."""
    if not isinstance(data, dict) or not (data.get("title") or data.get("type")):
        raise NetworkError(f"resolver sent something that is not CSL-JSON for {doi}")
    item: dict[str, Any] = {}
    for key, value in data.items():
        if key not in CSL_FIELDS or key == "id" or value in (None, "", [], {}):
            continue
        if key in ("ISSN", "ISBN") and isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if key in ("title", "container-title", "container-title-short", "publisher",
                   "collection-title", "original-title", "title-short"):
            value = _first(value)
            if isinstance(value, str):
                value = " ".join(value.split())
        if isinstance(value, list) and value and isinstance(value[0], dict) and key not in ("references",):
            value = [{k: n[k] for k in _NAME_KEYS if n.get(k)} for n in value if isinstance(n, dict)]
        if key == "references":
            continue  # Crossref's own reference list is not this work's metadata
        item[key] = value
    item["DOI"] = normalize_doi(str(data.get("DOI") or doi)) or doi
    from refcli.corrections import updates_of  # corrections and retractions Crossref records

    custom = updates_of(data)
    if custom:
        item["custom"] = custom
    from refcli.formats.shape import ShapeError, check

    try:  # what the library stores is valid CSL-JSON, whatever the registry sent
        return check(item)
    except ShapeError as exc:
        raise NetworkError(f"resolver sent malformed CSL-JSON for {doi}: {exc}") from None


def _retry_after(value: str | None, attempt: int) -> float:
    if value:
        try:
            return min(max(float(value), 0.0), MAX_RETRY_WAIT)
        except ValueError:
            pass
    return min(0.5 * 2**attempt, MAX_RETRY_WAIT)


def fetch(doi_text: str, *, use_cache: bool = True, timeout: float | None = None) -> dict[str, Any]:
    """CSL-JSON for a DOI given in any spelling; raises a one-line error otherwise."""
    doi = normalize_doi(doi_text)
    if not doi:
        raise InputError(f"not a DOI: {doi_text!r}")
    cached = _cache_file(doi)
    if use_cache and cached.exists():
        import orjson

        try:
            return to_item(orjson.loads(cached.read_bytes()), doi)
        except (orjson.JSONDecodeError, NetworkError, OSError):
            cached.unlink(missing_ok=True)

    body = _get(f"{settings.doi_url()}/{quote(doi, safe='/:;()._-')}", doi, timeout,
                not_found=f"DOI not found: {doi}")
    import orjson

    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise NetworkError(f"resolver sent invalid JSON for {doi}") from None
    item = to_item(data, doi)
    settings.write_cache(cached, body)
    return item


def _timeout() -> float:
    return settings.http_timeout()


def _get(url: str, doi: str, timeout: float | None = None, not_found: str = "not found",
         accept: str = ACCEPT, service: str = "the DOI resolver") -> bytes:
    """GET *url* with every safeguard; *doi* names the request in messages, *service*
    the server that could not be reached."""
    import httpx

    timeout = timeout or _timeout()
    if not url.startswith(("http://", "https://")):
        raise NetworkError(f"resolver URL must be http(s): {url}")
    headers = {"Accept": accept, "User-Agent": "refcli/0.1 (mailto:refcli@users.noreply.github.com)"}
    limits = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    last_error = ""
    with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=limits,
                      headers=headers) as client:
        for attempt in range(RETRIES + 1):
            try:
                with client.stream("GET", url) as response:
                    if response.url.scheme not in ("http", "https"):
                        raise NetworkError(f"resolver redirected to a non-http URL for {doi}")
                    status = response.status_code
                    if status == 404:
                        raise NotFoundError(not_found)
                    if status == 429 or status >= 500:
                        last_error = f"resolver answered HTTP {status}"
                        if attempt < RETRIES:
                            time.sleep(_retry_after(response.headers.get("Retry-After"), attempt))
                            continue
                        raise NetworkError(f"{last_error} for {doi} (gave up after {RETRIES + 1} tries)")
                    if status != 200:
                        raise NetworkError(f"resolver answered HTTP {status} for {doi}")
                    declared = response.headers.get("Content-Length")
                    if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                        raise NetworkError(f"resolver response for {doi} is too large")
                    # The read timeout is per read: a server dripping a byte at a time
                    # would never trip it, so the whole body also gets a deadline.
                    chunks, size = [], 0
                    deadline = time.monotonic() + 3 * timeout
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > MAX_BYTES:
                            raise NetworkError(f"resolver response for {doi} is too large")
                        if time.monotonic() > deadline:
                            raise NetworkError(f"resolver response for {doi} is too slow"
                                               f" (over {3 * timeout:g} s)")
                        chunks.append(chunk)
                    return b"".join(chunks)
            except httpx.TooManyRedirects:
                raise NetworkError(f"too many redirects resolving {doi}") from None
            except httpx.TimeoutException:
                last_error = "resolver timed out"
            except (httpx.TransportError, httpx.DecodingError) as exc:
                last_error = f"cannot reach {service} ({type(exc).__name__})"
            if attempt < RETRIES:
                time.sleep(_retry_after(None, attempt))
    raise NetworkError(f"{last_error} for {doi}; check the network or try again later")


def fetch_cached(url: str, what: str, *, service: str, accept: str, not_found: str,
                 use_cache: bool = True, check: Any = None) -> bytes:
    """The body at *url* (a registry's answer about *what*), from the on-disk cache when
    it holds one. *check* (body -> anything, raising on a bad answer) runs before the
    body is cached, so a wrong answer is never kept."""
    digest = hashlib.sha256(f"{accept}|{url}".encode()).hexdigest()[:32]
    cached = settings.cache_dir() / "registry" / f"{digest}.bin"
    if use_cache:
        try:
            body = cached.read_bytes()
            if check is not None:
                check(body)
            return body
        except (OSError, NetworkError, NotFoundError):
            cached.unlink(missing_ok=True)
    body = _get(url, what, not_found=not_found, accept=accept, service=service)
    if check is not None:
        check(body)
    settings.write_cache(cached, body)
    return body


# ------------------------------------------------------------------ bibliographic search

_CROSSREF_TYPES = {
    "journal-article": "article-journal", "proceedings-article": "paper-conference",
    "book-chapter": "chapter", "book-section": "chapter", "book-part": "chapter",
    "book": "book", "monograph": "book", "edited-book": "book", "reference-book": "book",
    "report": "report", "report-series": "report", "dissertation": "thesis",
    "posted-content": "article", "dataset": "dataset", "reference-entry": "entry",
    "standard": "standard", "peer-review": "review",
}


def from_crossref_work(work: dict[str, Any]) -> dict[str, Any]:
    """A Crossref REST ``work`` (not CSL: lists for titles, its own types) as CSL-JSON."""
    item: dict[str, Any] = {"type": _CROSSREF_TYPES.get(str(work.get("type")), "article")}
    for source, target in (("title", "title"), ("container-title", "container-title"),
                           ("publisher", "publisher"), ("volume", "volume"), ("issue", "issue"),
                           ("page", "page"), ("URL", "URL")):
        value = _first(work.get(source))
        if isinstance(value, str) and value.strip():
            item[target] = " ".join(value.split())
    names = []
    for person in work.get("author") or []:
        if isinstance(person, dict):
            name = {k: person[k] for k in ("family", "given", "suffix") if person.get(k)}
            if not name and person.get("name"):
                name = {"literal": person["name"]}
            if name:
                names.append(name)
    if names:
        item["author"] = names
    for date_key in ("issued", "published-print", "published-online", "published"):
        date = work.get(date_key)
        if isinstance(date, dict) and date.get("date-parts") and date["date-parts"][0] and date["date-parts"][0][0]:
            item["issued"] = {"date-parts": [date["date-parts"][0]]}
            break
    doi = normalize_doi(str(work.get("DOI") or ""))
    if doi:
        item["DOI"] = doi
    return item


def search_bibliographic(reference: str, min_score: float | None = None) -> dict[str, Any] | None:
    """The registry's record for a free-text reference, or None when no hit is convincing.

    A hit must score above *min_score* and its title must occur (fuzzily) in the
    reference string, so a confident search engine cannot swap in another work.
    """
    import orjson
    from rapidfuzz.fuzz import partial_ratio

    reference = " ".join(reference.split())[:1000]
    if len(reference) < 20:
        return None
    query = quote(reference, safe="")
    body = _get(f"{settings.search_url()}?query.bibliographic={query}&rows=3", "bibliographic search",
                not_found="bibliographic search endpoint not found", accept="application/json")
    try:
        data = orjson.loads(body)
        hits = data["message"]["items"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise NetworkError("bibliographic search sent an unexpected answer") from None
    threshold = min_score if min_score is not None else settings.search_min_score()
    folded_ref = fold(reference)
    for hit in hits if isinstance(hits, list) else []:
        if not isinstance(hit, dict) or float(hit.get("score") or 0) < threshold:
            continue
        item = from_crossref_work(hit)
        title = fold(item.get("title", ""))
        if title and partial_ratio(title, folded_ref) >= 90:
            return item
    return None
