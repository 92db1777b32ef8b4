"""The manual, served beside the portal at /manual/ (built by `make docs`)."""
