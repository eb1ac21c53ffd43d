"""A real HTTP server on 127.0.0.1 that answers DOI content negotiation.

It serves the recorded CSL-JSON responses in ``fixtures/doi/`` (as doi.org
forwards to Crossref), 404 for unknown DOIs, and a few misbehaving DOIs under
the ``10.9999/`` prefix so the resolver's fault handling is tested for real.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

FIXTURES = Path(__file__).parent / "fixtures" / "doi"
REGISTRIES = Path(__file__).parent / "fixtures" / "registries"
# Path prefixes of the other registries this server stands in for (base URLs to give refcli).
REGISTRY_PREFIXES = ("/arxiv/", "/openlibrary/", "/eutils/", "/idconv/", "/pages/")
SEARCH = Path(__file__).parent / "fixtures" / "crossref-works"


class DOIServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (path, Accept header)
        self.counts: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                if self.path.startswith(REGISTRY_PREFIXES):
                    server.requests.append((self.path, self.headers.get("Accept", "")))
                    return server.registry(self)
                if self.path.startswith("/works?"):
                    server.requests.append((self.path, self.headers.get("Accept", "")))
                    return server.search(self)
                doi = unquote(self.path.lstrip("/")).lower()
                server.requests.append((self.path, self.headers.get("Accept", "")))
                server.counts[doi] = server.counts.get(doi, 0) + 1
                server.respond(self, doi, server.counts[doi])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def respond(self, h: BaseHTTPRequestHandler, doi: str, count: int) -> None:
        def send(status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            h.send_response(status)
            h.send_header("Content-Type", "application/vnd.citationstyles.csl+json")
            h.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(body)

        if doi == "10.9999/always-500":
            return send(500, b"internal error")
        if doi == "10.9999/flaky":  # 503 once, then the real record of nature14539
            if count == 1:
                return send(503, b"busy")
            doi = "10.1038/nature14539"
        if doi == "10.9999/rate-limited":
            if count == 1:
                return send(429, b"slow down", {"Retry-After": "1"})
            doi = "10.1109/cvpr.2016.90"
        if doi == "10.9999/garbage":
            return send(200, b"{not json at all")
        if doi == "10.9999/wrong-shape":
            return send(200, b"[1, 2, 3]")
        if doi == "10.9999/huge":
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.end_headers()
            try:
                chunk = b" " * 1024 * 1024
                for _ in range(100):
                    h.wfile.write(chunk)
            except OSError:
                pass
            return None
        if doi == "10.9999/stall":
            h.send_response(200)
            h.send_header("Content-Length", "1000")
            h.end_headers()
            h.wfile.write(b"{")
            h.wfile.flush()
            time.sleep(30)
            return None
        if doi == "10.9999/drip":  # never stalls long enough for a read timeout, never ends
            h.send_response(200)
            h.send_header("Content-Length", "100000")
            h.end_headers()
            try:
                for _ in range(300):
                    h.wfile.write(b" ")
                    h.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            return None
        if doi == "10.9999/reset":  # the connection is reset (RST) before any answer
            import socket
            import struct

            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            h.close_connection = True
            return None
        if doi == "10.9999/redirect-file":
            h.send_response(302)
            h.send_header("Location", "file:///etc/passwd")
            h.end_headers()
            return None
        if doi == "10.9999/redirect-loop":
            h.send_response(302)
            h.send_header("Location", f"/{doi}")
            h.end_headers()
            return None
        path = FIXTURES / (doi.replace("/", "_") + ".json")
        if not path.exists():
            return send(404, b"DOI Not Found")
        return send(200, path.read_bytes())

    def search(self, h: BaseHTTPRequestHandler) -> None:
        """Crossref's /works?query.bibliographic=…: the recorded answer whose title the
        query contains, with Crossref's relevance score; a weak hit otherwise."""
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(h.path).query).get("query.bibliographic", [""])[0].lower()
        hits = []
        for path in sorted(SEARCH.glob("*.json")):
            work = json.loads(path.read_text())
            if work["title"][0].lower() in query:
                hits.append({**work, "score": 92.4})
        if not hits:  # Crossref always answers something; here a poor, unrelated hit
            hits.append({"type": "journal-article", "title": ["Something else entirely"],
                         "DOI": "10.5555/unrelated", "score": 12.1})
        body = json.dumps({"status": "ok", "message-type": "work-list",
                           "message": {"total-results": len(hits), "items": hits}}).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def registry(self, h: BaseHTTPRequestHandler) -> None:
        """The arXiv API, Open Library, NCBI E-utilities, the PMC ID converter and landing
        pages, each answering from its recorded responses in ``fixtures/registries/``."""
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        status, kind, path = 200, "application/json", None
        if parts.path.startswith("/arxiv/"):
            kind = "application/atom+xml; charset=utf-8"
            arxiv = query.get("id_list", "")
            bare = arxiv.rsplit("v", 1)[0] if arxiv[-1:].isdigit() and "v" in arxiv[-4:] else arxiv
            path = REGISTRIES / "arxiv" / (bare.replace("/", "_") + ".xml")
            if not path.exists():
                path = REGISTRIES / "arxiv" / "error.xml"
        elif parts.path.startswith("/openlibrary/"):
            path = REGISTRIES / "openlibrary" / (query.get("bibkeys", "").removeprefix("ISBN:") + ".json")
            if not path.exists():  # Open Library answers an unknown ISBN with an empty object
                body = b"{}"
        elif parts.path.startswith("/eutils/"):
            path = REGISTRIES / "esummary" / (query.get("id", "") + ".json")
            if not path.exists():
                path = REGISTRIES / "esummary" / "unknown.json"
        elif parts.path.startswith("/idconv/"):
            path = REGISTRIES / "idconv" / (query.get("ids", "") + ".json")
            if not path.exists():
                path = REGISTRIES / "idconv" / "unknown.json"
        else:
            kind = "text/html; charset=utf-8"
            path = REGISTRIES / "pages" / parts.path.removeprefix("/pages/")
            if not path.is_file():
                status, body = 404, b"<html><body>Not Found</body></html>"
        if path is not None and path.is_file():
            body = path.read_bytes()
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def __enter__(self) -> DOIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
