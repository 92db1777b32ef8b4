"""eMAG 3.1: the Acessibilidade page and the high-contrast switch (both sites)."""
