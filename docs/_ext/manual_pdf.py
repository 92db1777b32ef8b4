"""The printed manual: after the one-page build, Chromium prints it to PDF.

``sphinx-build -b singlehtml`` writes ``index.html`` (whose print stylesheet adds a cover and a
table of contents, see docs/_themes/manual) and then, here, ``manual.pdf`` beside it: the same
Chromium the executable steps drive, offline, from the files on disk. Chromium cannot number
the table of contents itself, so the PDF is printed twice: the first copy says on which page
each chapter landed, the page numbers go into the table, and the second copy is kept.
"""

from __future__ import annotations

import io
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: How often the table of contents may move a chapter before the build gives up.
PASSES = 3
PAGE = {
    "format": "A4",
    "margin": {"top": "22mm", "bottom": "20mm", "left": "18mm", "right": "18mm"},
}
# Chromium's header and footer are separate documents: the page's stylesheets do not reach
# them, so their (tiny) styles must be inline. The PDF is no web page: no CSP applies to it.
HEADER = (
    '<div style="font: 8pt sans-serif; color: #555; width: 100%; margin: 0 18mm;">'
    '<span class="title"></span></div>'
)
FOOTER = (
    '<div style="font: 8pt sans-serif; color: #555; width: 100%; margin: 0 18mm;'
    ' display: flex; justify-content: space-between;">'
    "<span>{portal}</span>"
    '<span>Página <span class="pageNumber"></span> de <span class="totalPages"></span></span>'
    "</div>"
)
# Write each chapter's page into its entry of the table of contents (see manual.css).
_NUMBER_TOC = """pages => {
    for (const link of document.querySelectorAll(".manual-sumario a[href^='#']")) {
        const page = pages[decodeURIComponent(link.hash.slice(1))];
        if (page) link.dataset.pagina = page; else delete link.dataset.pagina;
    }
}"""


def print_pdf(app: Sphinx, exception: Exception | None) -> None:
    if exception or app.builder.name != "singlehtml" or not app.config.manual_pdf:
        return
    # Imported here: the other builds need neither the browser nor the PDF reader.
    from passos import runner

    chromium = runner.chromium_path()
    if not Path(chromium).is_file():
        # `make run` on a machine without Chromium still serves the portal and the manual.
        logger.info("PDF do manual não gerado: %s", runner.missing_browser_message(chromium))
        return
    page_file = Path(app.outdir) / "index.html"
    target = Path(app.outdir) / app.config.manual_pdf
    logger.info("imprimindo o manual em %s com o Chromium…", target)
    footer = FOOTER.format(portal=_escape(app.config.manual_pdf_rodape))
    try:
        with runner.launch(runner.Settings(srcdir=Path(app.srcdir), chromium=chromium)) as browser:
            page = browser.new_page()
            page.goto(page_file.as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.evaluate("document.fonts.ready.then(() => true)")  # the same text every build
            pages: dict[str, int] = {}
            for _ in range(PASSES):
                page.evaluate(_NUMBER_TOC, pages)
                pdf = page.pdf(
                    **PAGE,
                    display_header_footer=True,
                    header_template=HEADER,
                    footer_template=footer,
                    print_background=True,
                    outline=True,
                    tagged=True,
                )
                landed = _destination_pages(pdf)
                if landed == pages:
                    break
                pages = landed
            else:
                raise ExtensionError("o sumário do PDF não se estabilizou")
    except runner.PassosError as err:
        raise ExtensionError(str(err)) from err
    target.write_bytes(pdf)


def _destination_pages(pdf: bytes) -> dict[str, int]:
    """The page (from 1) of each element that a link of the PDF points at, by its id."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {
        name.removeprefix("/"): reader.get_destination_page_number(destination) + 1
        for name, destination in reader.named_destinations.items()
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("manual_pdf", "manual.pdf", "", types=frozenset({str}))
    app.add_config_value("manual_pdf_rodape", "", "", types=frozenset({str}))
    app.connect("build-finished", print_pdf)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
