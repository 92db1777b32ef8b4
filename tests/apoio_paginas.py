"""Every page a person can reach: a crawl of the links from a home page, as that person."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Sequence
from urllib.parse import urljoin, urlsplit

#: Links a crawl must not follow: they change something or leave the site, or are no screen
#: (the API's documents; its reference page is a screen, and is crawled).
SKIP = re.compile(
    r"^/(sair|mapa/sair)|^/manual/|^/vendor/|^/static/|/anexos/|^/api/(?!v1/referencia$)"
)


def shape(path: str) -> str:
    """A page's kind: its path with every number replaced (one ticket page stands for all)."""
    return re.sub(r"\d+", "N", path)


def crawl(
    client,
    start: str | Sequence[str],
    limit: int = 60,
    per_shape: int | None = None,
    kind: Callable[[str], str] = shape,
    skip: re.Pattern = SKIP,
) -> dict[str, object]:
    """GET every page reachable by links from `start` (same site, read-only); {path: response}.

    With `per_shape`, at most that many pages of each `kind` (a list of a hundred tickets
    stands for its kind of page with a few of them, and the crawl goes on to other kinds); the
    starting pages are always visited.
    """
    starts = [start] if isinstance(start, str) else list(start)
    seen: dict[str, object] = {}
    shapes: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        page_kind = kind(path.partition("?")[0])
        if per_shape is not None and shapes.get(page_kind, 0) >= per_shape:
            if path not in starts:
                continue
        shapes[page_kind] = shapes.get(page_kind, 0) + 1
        response = client.get(path)
        seen[path] = response
        if response.status_code in (301, 302):
            target = urlsplit(response.headers["Location"]).path
            if not skip.search(target):
                queue.append(target)
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            # A download (the CSV export) is streamed: a browser reads it to the end; a crawl
            # that does not must close it, or its request context outlives it.
            response.close()
            continue
        for href in re.findall(r'href="([^"#]+)"', response.text):
            target = urlsplit(urljoin(path, href.replace("&amp;", "&")))
            if target.netloc or skip.search(target.path):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen
