"""Sphinx configuration of the tiny manual used by the tests of the passos extension.

The tests put ``docs/_ext`` on ``sys.path``; this file adds its own folder, where the
example portal lives.
"""

import sys
from pathlib import Path

_here = str(Path(__file__).resolve().parent)
if _here not in sys.path:
    sys.path.insert(0, _here)

project = "Manual de teste"
language = "pt_BR"
extensions = ["passos"]
exclude_patterns = ["_build"]

passos_app = "portal_exemplo:create_app"
passos_entrar = "portal_exemplo:entrar"
passos_relogio = "2025-01-15T10:00:00-03:00"
# Long enough for a loaded machine replaying documents side by side (a missing label, as in
# the broken-manual tests, costs this long each).
passos_espera = 4000
