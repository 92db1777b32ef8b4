"""Serve the HTML manual built by Sphinx, or say how to build it."""

from pathlib import Path

from flask import Blueprint, current_app, render_template, send_from_directory

bp = Blueprint("manual", __name__, template_folder="templates")


def _build_dir() -> Path:
    configured = current_app.config.get("MANUAL_DIR")
    return Path(configured or Path(current_app.root_path).parent / "docs" / "_build" / "html")


@bp.get("/", defaults={"filename": "index.html"})
@bp.get("/<path:filename>")
def pagina(filename: str):
    folder = _build_dir()
    if not (folder / "index.html").is_file():
        return render_template("manual/ausente.html"), 404
    return send_from_directory(folder, filename, max_age=0)
