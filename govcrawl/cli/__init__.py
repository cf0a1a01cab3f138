"""The ``govcrawl`` command line: a thin click shell over the library, one module a concern
(extract, demo, crawl, portals, research).  Failures are one line on stderr with an exit
code of govcrawl.cli.errors; never a traceback (``GOVCRAWL_DEBUG=1`` shows one).
"""

from __future__ import annotations

import click

from govcrawl.cli import crawl, demo, extract, portals, research


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govcrawl")
def main() -> None:
    """Crawl, extract and archive government information-disclosure annual reports."""


for _module in (extract, demo, crawl, portals, research):
    for _command in _module.COMMANDS:
        main.add_command(_command)
