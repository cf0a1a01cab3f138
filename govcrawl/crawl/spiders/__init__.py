"""Spiders: one generic, registry-driven spider (added with the crawl)."""
