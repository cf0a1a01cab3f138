"""Scrapy item pipelines: thin adapters over govcrawl's library functions."""
