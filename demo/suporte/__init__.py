"""The support site's home."""
