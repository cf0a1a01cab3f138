"""`govcrawl portals`: the registry — list it, check it."""

from __future__ import annotations

from pathlib import Path

import click

from govcrawl.cli.errors import BadInput, ExitCode, exit_with


@click.group("portals")
def portals_group() -> None:
    """The portal registry (data/portals.yml)."""


@portals_group.command("list")
@click.option("--registry", "registry_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def portals_list_command(registry_path: Path | None) -> None:
    """List registered portals: id, name, CMS, verified, listing URLs.

    Example: govcrawl portals list
    """
    for portal in (portals := _load(registry_path)):
        flag = "demo" if portal.demo else ("verified" if portal.verified else "unverified")
        click.echo(f"{portal.id:28} {portal.name:20} {portal.cms:8} {flag:10} {portal.listing_urls[0]}")
    click.echo(f"{len(portals)} portals", err=True)


@portals_group.command("check")
@click.option("--registry", "registry_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def portals_check_command(registry_path: Path | None) -> None:
    """Validate the registry: fields, URLs within allowed domains, division codes.

    Example: govcrawl portals check
    """
    from govcrawl import registry

    portals = _load(registry_path, one_line_each=True)
    problems = [p for p in (registry.check_division(portal) for portal in portals) if p]
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{len(portals)} portals, {len(problems)} problems")
    exit_with(ExitCode.BAD_INPUT if problems else ExitCode.OK)


def _load(registry_path: Path | None, one_line_each: bool = False) -> list:
    """The registry, or its problems as the error (one line each for `check`)."""
    from govcrawl import registry

    try:
        return registry.load_registry(registry_path)
    except registry.RegistryError as exc:
        raise BadInput("\n".join(exc.problems) if one_line_each else str(exc)) from None


COMMANDS = (portals_group,)
