"""Serve the front-end files: the portal's own (static/) and the packages `npm ci` installed.

A page of the portal is never cached (security.py), but the files it links to are: the
address of each of the portal's own files carries a digest of its content (`?v=…`), so a
browser keeps it for a year and asks again only when the file changed. Without that it
asked for each of them again (a 304) on every page, five requests for every click of a
whole class.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from flask import Flask, abort, send_from_directory

#: How long a browser keeps one of the portal's own files (its address changes with it).
STATIC_MAX_AGE = timedelta(days=365)

#: Only these parts of node_modules are published.
PUBLISHED = (
    "@govbr-ds/core/dist/",
    "@fontsource/raleway/",
    "@fortawesome/fontawesome-free/css/",
    "@fortawesome/fontawesome-free/webfonts/",
    "bpmn-js/dist/",
    # The API's reference page (demo/api/docs.py): the bundle and its style sheet only.
    "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css",
    "driver.js/dist/driver.css",
    "driver.js/dist/driver.js.iife.js",
)


def init_app(app: Flask) -> None:
    """Register /vendor/<path> (from the project's node_modules folder) and version /static/."""
    root = Path(app.config.get("ASSETS_DIR") or Path(app.root_path).parent / "node_modules")
    # Flask applies this to its static route; every other file the portal sends says its own.
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_MAX_AGE

    @app.url_defaults
    def static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            path = Path(app.static_folder or "") / values["filename"]
            try:
                stat = path.stat()
            except OSError:
                return  # a missing file: its address 404s as it is
            values["v"] = _digest(str(path), stat.st_mtime_ns, stat.st_size)

    @app.get("/vendor/<path:filename>", endpoint="vendor")
    def vendor(filename: str):
        if not filename.startswith(PUBLISHED) or ".." in filename.split("/"):
            abort(404)
        return send_from_directory(root, filename, max_age=86400)


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    """The first characters of the file's SHA-256 (its stat is the key: an edit makes a new one)."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:12]
