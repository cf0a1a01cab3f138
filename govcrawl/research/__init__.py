"""The researcher's side: full-text search, canned queries, Datasette, exports, charts."""
