"""The portal's rules, shared by the HTML views, the API and the CLI (no Flask request here)."""
