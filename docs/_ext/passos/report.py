"""The HTML report of a replay: each problem with its place, message and images."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path


@dataclass
class Problem:
    """Something that went wrong at a step of the manual."""

    location: str  # "docs/abertura.rst:12"
    message: str
    # (caption, path of a PNG relative to the report), e.g. ("antes", "relatorio/x.png")
    images: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


_STYLE = """
body { font-family: sans-serif; margin: 2rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; }
.resumo { font-size: 1.1rem; }
.ok { color: #168821; }
.falha { color: #e52207; }
section { border-top: 1px solid #ccc; padding: 1rem 0; }
section h2 { font-size: 1rem; font-family: monospace; margin: 0 0 .5rem; }
.imagens { display: flex; gap: 1rem; flex-wrap: wrap; }
figure { margin: 0; max-width: 32%; }
figure img { max-width: 100%; border: 1px solid #999; }
figcaption { text-align: center; font-weight: bold; }
"""


def write_report(path: Path, title: str, summary: str, problems: list[Problem]) -> None:
    """Write the report as one self-contained HTML page (images are sibling files)."""
    status = "falha" if problems else "ok"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="pt-BR">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="resumo {status}">{escape(summary)}</p>',
        f"<p>Gerado em {datetime.now().strftime('%d/%m/%Y %H:%M:%S')}.</p>",
    ]
    if not problems:
        parts.append('<p class="ok">Nenhum problema encontrado.</p>')
    for problem in problems:
        parts.append("<section>")
        parts.append(f"<h2>{escape(problem.location or 'configuração')}</h2>")
        parts.append(f'<p class="falha">{escape(problem.message)}</p>')
        if problem.images:
            parts.append('<div class="imagens">')
            for caption, src in problem.images:
                parts.append(
                    f'<figure><a href="{escape(src)}"><img src="{escape(src)}" '
                    f'alt="{escape(caption)}"></a>'
                    f"<figcaption>{escape(caption)}</figcaption></figure>"
                )
            parts.append("</div>")
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
