"""A doi.org emulation: the handle REST API and plain resolution (../shared/notes/linkcheck.md §5).

* ``/api/handles/<doi>``: 200 ``{"responseCode":1,…,"values":[{"type":"URL",…}]}``; 404
  ``{"responseCode":100}`` for an unknown handle; 200 ``{"responseCode":200}`` when a ``type``
  filter matches nothing.
* ``/<doi>``: 302 to the registered URL (``Vary: Accept``), or 404 "DOI Not Found".
* ``/ra/<doi>``: the registration agency list.
DOIs are case-insensitive.
"""

from __future__ import annotations

from urllib.parse import unquote

from tests.servers import LoopbackServer, Request, Response, json_response


class FakeDoi:
    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.registry: dict[str, str] = {}  # lower-cased DOI -> URL
        server.route(r"/api/handles/.+", self._handle)
        server.route(r"/ra/.+", self._ra)
        server.route(r"/10\..+", self._resolve)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def register(self, doi: str, url: str) -> None:
        self.registry[doi.lower()] = url

    def _handle(self, req: Request, h: object) -> Response:
        doi = unquote(req.path[len("/api/handles/"):])
        url = self.registry.get(doi.lower())
        if url is None:
            return json_response({"responseCode": 100, "handle": doi}, 404)
        wanted = req.arg("type")
        if wanted and wanted != "URL":
            return json_response({"responseCode": 200, "handle": doi, "values": []})
        return json_response({"responseCode": 1, "handle": doi, "values": [
            {"index": 1, "type": "URL", "data": {"format": "string", "value": url}, "ttl": 86400,
             "timestamp": "2024-01-01T00:00:00Z"},
            {"index": 100, "type": "HS_ADMIN", "data": {"format": "admin", "value": {"handle": "0.na/10.6028"}}},
        ]})

    def _resolve(self, req: Request, h: object) -> Response:
        doi = unquote(req.path[1:])
        url = self.registry.get(doi.lower())
        if url is None:
            return Response(404, "<html><title>Error: DOI Not Found</title></html>", {"Content-Type": "text/html"})
        return Response(302, "", {"Location": url, "Vary": "Accept"})

    def _ra(self, req: Request, h: object) -> Response:
        doi = unquote(req.path[len("/ra/"):])
        if doi.lower() in self.registry:
            return json_response([{"DOI": doi, "RA": "Crossref"}])
        return json_response([{"DOI": doi, "status": "DOI does not exist"}])
