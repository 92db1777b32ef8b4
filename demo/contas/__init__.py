"""Accounts screens: login, logout and password change (served on both sites)."""
