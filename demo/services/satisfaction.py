"""Satisfaction: the rating (1 to 5) a requester gives on accepting a solution, and its figures.

The rating lives on the acceptance's step record (the conversation shows it) and, the latest
one, on the ticket (what the Painel and the Chamados list count and filter on).
"""

from __future__ import annotations

from dataclasses import dataclass, field

RATING_MIN, RATING_MAX = 1, 5
#: What each rating means, for the form's options and the Painel's legend.
LABELS = {
    1: "Muito insatisfeito",
    2: "Insatisfeito",
    3: "Nem satisfeito nem insatisfeito",
    4: "Satisfeito",
    5: "Muito satisfeito",
}


@dataclass(frozen=True)
class Ratings:
    """How many ratings of each value (1 to 5), and their average."""

    counts: dict[int, int] = field(
        default_factory=lambda: dict.fromkeys(range(RATING_MIN, RATING_MAX + 1), 0)
    )

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        if not self.total:
            return None
        return sum(value * count for value, count in self.counts.items()) / self.total

    def share(self, value: int) -> float:
        """The share of the ratings that gave `value` (0 when there are none)."""
        return self.counts[value] / self.total if self.total else 0.0
