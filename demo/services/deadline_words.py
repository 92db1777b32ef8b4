"""A deadline in words, from its hours alone: “solução em até 24 (vinte e quatro) horas corridas”.

The hours are configured once (conf/categorias.toml); everything that shows them, the portal
and the manual alike, writes them with these functions. Pure Python, no Flask: the manual's
build loads this file by itself (docs/_ext/portal_conf.py), without the portal around it.
"""

from __future__ import annotations

from num2words import num2words

# num2words writes the masculine; “hora” is feminine (duas horas, vinte e uma horas, duzentas
# horas). Below a million the masculine forms that change are these.
_FEMININE = {
    "um": "uma",
    "dois": "duas",
    **{
        f"{prefix}entos": f"{prefix}entas"
        for prefix in ("duz", "trez", "quatroc", "quinh", "seisc", "setec", "oitoc", "novec")
    },
}


def in_words(number: int) -> str:
    """The number in Portuguese words, in the feminine: 2 → “duas”, 21 → “vinte e uma”."""
    if not 0 < number < 1_000_000:
        raise ValueError(f"número de horas fora do intervalo: {number}")
    words = num2words(number, lang="pt_BR").split(" ")
    return " ".join(_FEMININE.get(word, word) for word in words)


def hours_phrase(hours: int) -> str:
    """24 → “24 (vinte e quatro) horas corridas”; 1 → “01 (uma) hora corrida”."""
    unit = "hora corrida" if hours == 1 else "horas corridas"
    return f"{hours:02d} ({in_words(hours)}) {unit}"


def deadline_phrase(hours: int, counted_from: str) -> str:
    """“solução em até 04 (quatro) horas corridas após o cadastramento da demanda”."""
    return f"solução em até {hours_phrase(hours)} {counted_from}".rstrip()
