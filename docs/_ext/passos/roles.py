"""How a target is found on the screen: the one rule the replay and the guided tour share.

Pure data, no browser. The replay (runner.py) finds targets with Playwright's role and label
engines, named by these tables; the manual's build exports the same tables with each chapter's
steps (``praticar.json``), and the portal's guided tour (*Praticar no portal*) finds targets in
the trainee's browser with them. A browser test follows every chapter's tour in the portal and
fails, naming ``arquivo.rst:linha``, when the tour's rule finds no target or more than one.
"""

from __future__ import annotations

import re

#: ARIA roles that each kind of target of a sentence may have.
ROLES: dict[str, tuple[str, ...]] = {
    "menu": ("menuitem", "button"),
    "clickable": ("link", "button", "menuitem", "tab"),
    "button": ("button",),
    "icon": ("link", "button"),
    "link": ("link",),
    "tab": ("tab",),
    "text": ("link", "button", "menuitem", "tab"),
}
#: A set of radio buttons or checkboxes named by its legend is a field too.
GROUPS: tuple[str, ...] = ("radiogroup", "group")
#: The elements that have each ARIA role (explicitly, or implicitly by their tag), as the
#: accessibility tree gives them: what the tour queries for a role.
ROLE_ELEMENTS: dict[str, str] = {
    "link": "a[href], area[href], [role=link]",
    "button": (
        "button, input[type=submit], input[type=button], input[type=reset], "
        "input[type=image], summary, [role=button]"
    ),
    "menuitem": "[role=menuitem], [role=menuitemcheckbox], [role=menuitemradio]",
    "tab": "[role=tab]",
    "radiogroup": "[role=radiogroup]",
    "group": "fieldset, details, [role=group]",
}
#: What can be filled: a field's label must name one of these.
FORM_CONTROLS = (
    "input:not([type=hidden]):not([type=file]):not([type=submit]):not([type=button])"
    ":not([type=reset]):not([type=image]), select, textarea, [role=textbox], "
    "[role=combobox], [role=listbox], [role=spinbutton], [contenteditable=true]"
)
#: An accessible name equals the label ignoring case and spacing; a trailing “*” or “:”
#: (required-field marks, label colons) is tolerated. The pieces of that regular expression,
#: which both sides assemble the same way (Python's and JavaScript's syntax agree on them).
NAME_START = r"^\s*"
NAME_BETWEEN_WORDS = r"\s+"
NAME_END = r"\s*[*:]?\s*$"
NAME_ESCAPE = r"[.*+?^${}()|\[\]\\/-]"


def label_pattern(label: str) -> re.Pattern[str]:
    """Match an accessible name equal to the label (see NAME_*), ignoring case."""
    words = [re.sub(NAME_ESCAPE, r"\\\g<0>", word) for word in label.split()]
    return re.compile(NAME_START + NAME_BETWEEN_WORDS.join(words) + NAME_END, re.IGNORECASE)


def exported() -> dict:
    """The tables, as the tour reads them from praticar.json."""
    return {
        "papeis": {kind: list(roles) for kind, roles in ROLES.items()},
        "grupos": list(GROUPS),
        "elementos": ROLE_ELEMENTS,
        "campos": FORM_CONTROLS,
        "nome": {
            "inicio": NAME_START,
            "entre_palavras": NAME_BETWEEN_WORDS,
            "fim": NAME_END,
            "escapar": NAME_ESCAPE,
        },
    }


#: A hidden value may name what an earlier step kept (``:guarda:``): ``{chamado}``.
VARIABLE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
