"""Pages of a list: the page asked for, how many there are, refusals in Portuguese."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from ..extensions import db
from .errors import Invalid

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; `capped` when the list has more than `total` items (not counted)."""

    items: list[T]
    number: int
    pages: int
    total: int
    size: int
    capped: bool = False

    @property
    def first_index(self) -> int:
        """The position (from 1) of the page's first item in the whole list."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


def page_number(raw: str | int | None, field: str = "pagina") -> int:
    """The page a person asked for (1 when none): a positive whole number, or Invalid."""
    if raw is None or raw == "":
        return 1
    text = str(raw).strip()
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise Invalid("A página deve ser um número inteiro a partir de 1.", field)
    return int(text)


def paginate(
    query: Select,
    number: int,
    size: int,
    count_limit: int | None = None,
    field: str = "pagina",
) -> Page:
    """Run `query` for page `number` (from 1) of `size` items.

    With `count_limit`, at most that many items are counted (a list of a million tickets need
    not be counted to show its first page); the pages stop there.
    """
    total, pages, capped = count(query, number, size, count_limit, field)
    items = list(db.session.scalars(query.limit(size).offset((number - 1) * size)).unique())
    return Page(items, number, pages, total, size, capped)


def count(
    query: Select, number: int, size: int, count_limit: int | None = None, field: str = "pagina"
) -> tuple[int, int, bool]:
    """(total, pages, capped) of the list `query` gives; Invalid when page `number` is past
    its end."""
    counted = query.order_by(None)
    if count_limit is not None:
        counted = counted.limit(count_limit + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    capped = count_limit is not None and total > count_limit
    if capped:
        total = count_limit
    pages = max(1, -(-total // size))
    if number > pages:
        plural = "página" if pages == 1 else "páginas"
        raise Invalid(f"A página {number} não existe: a lista tem {pages} {plural}.", field)
    return total, pages, capped
