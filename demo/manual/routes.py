"""Serve the manual built by Sphinx (`make docs`), or say how to build it.

/manual/ is the HTML build, /manual/singlehtml/ the one-page build, and /manual/manual.pdf and
/manual/manual.epub its printed and e-book editions, each from its folder of docs/_build.
"""

from pathlib import Path

from flask import Blueprint, current_app, render_template, send_from_directory

bp = Blueprint("manual", __name__, template_folder="templates")

#: Each edition's file: the build folder it is written to, and its media type.
EDITIONS = {
    "manual.pdf": ("singlehtml", "application/pdf"),
    "manual.epub": ("epub", "application/epub+zip"),
}


def _builds() -> Path:
    """docs/_build, where `make docs` writes html/, singlehtml/ and epub/."""
    configured = current_app.config.get("MANUAL_DIR")
    return Path(configured or Path(current_app.root_path).parent / "docs" / "_build")


def _serve(folder: Path, filename: str, built: str = "index.html", **options):
    """A file of one build, or the page that says how to build the manual."""
    if not (folder / built).is_file():
        return render_template("manual/ausente.html"), 404
    return send_from_directory(folder, filename, max_age=0, **options)


@bp.get("/", defaults={"filename": "index.html"})
@bp.get("/<path:filename>")
def pagina(filename: str):
    if filename in EDITIONS:
        build, mimetype = EDITIONS[filename]
        return _serve(_builds() / build, filename, built=filename, mimetype=mimetype)
    return _serve(_builds() / "html", filename)


@bp.get("/singlehtml/", defaults={"filename": "index.html"})
@bp.get("/singlehtml/<path:filename>")
def pagina_unica(filename: str):
    return _serve(_builds() / "singlehtml", filename)
