"""Crawls on several machines: the shared frontier in Redis and the archive's one writer."""
