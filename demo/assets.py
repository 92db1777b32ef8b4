"""Serve the front-end packages installed by `npm ci` (the portal serves its own fonts)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, send_from_directory

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
    """Register /vendor/<path>, reading from the project's node_modules folder."""
    root = Path(app.config.get("ASSETS_DIR") or Path(app.root_path).parent / "node_modules")

    @app.get("/vendor/<path:filename>", endpoint="vendor")
    def vendor(filename: str):
        if not filename.startswith(PUBLISHED) or ".." in filename.split("/"):
            abort(404)
        return send_from_directory(root, filename, max_age=86400)
