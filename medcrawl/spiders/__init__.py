"""Spiders: one module per site, each only routing (where to start, which links to follow)."""
