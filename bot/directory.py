"""The roster data file: a city's districts, their network units, hotlines and family service centres.

Read once per process; the same file seeds the database and feeds `資源` and the personal-data
screen's list of public agency numbers (an office phone is public, not personal data).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from rules.privacy import PublicDirectory


@dataclass(frozen=True)
class UnitSpec:
    name: str
    short: str
    network: str
    secretariat: bool = False
    aliases: tuple[str, ...] = ()
    city_level: bool = False  # a city unit copied into every district (rules/access.py)


@dataclass(frozen=True)
class DistrictSpec:
    name: str
    units: tuple[UnitSpec, ...]


@dataclass(frozen=True)
class Hotline:
    number: str
    name: str
    note: str = ""


@dataclass(frozen=True)
class Centre:
    name: str
    district: str
    address: str
    phone: str


@dataclass(frozen=True)
class Directory:
    city: str
    districts: tuple[DistrictSpec, ...]
    hotlines: tuple[Hotline, ...]
    centres: tuple[Centre, ...]
    reporting: str

    def district(self, text: str) -> DistrictSpec | None:
        """Find a district by name, with or without its 區 suffix."""
        wanted = text.strip().removesuffix("區")
        return next((d for d in self.districts if d.name.removesuffix("區") == wanted), None)

    def centres_of(self, district: str) -> list[Centre]:
        return [c for c in self.centres if c.district == district]

    def public_phones(self) -> frozenset[str]:
        """Digits of every public agency number in the file."""
        numbers = [c.phone for c in self.centres] + [h.number for h in self.hotlines]
        return frozenset(re.sub(r"\D", "", n) for n in numbers if n)

    def public_addresses(self) -> frozenset[str]:
        return frozenset(c.address for c in self.centres if c.address)

    @cached_property
    def public(self) -> PublicDirectory:
        """What the personal-data screen lets through: the file's agency phones and addresses."""
        return PublicDirectory(phones=self.public_phones(), addresses=self.public_addresses())


def parse_directory(data: dict[str, Any]) -> Directory:
    """Build a Directory from the YAML structure (see data/roster/taoyuan.yaml)."""
    city_units = [_unit(u, {}, city_level=True) for u in data.get("city_units", [])]
    districts = []
    for entry in data["districts"]:
        names = {"d": entry["name"].removesuffix("區"), "police": entry.get("police", "")}
        local = [_unit(u, names) for u in data.get("district_units", [])]
        centres = [UnitSpec(name, "家服中心", "社政", aliases=("家庭服務中心", "社福中心"))
                   for name in entry.get("centres", [])]
        districts.append(DistrictSpec(entry["name"], tuple(local[:1] + centres + local[1:] + city_units)))
    resources = data.get("resources", {})
    return Directory(
        city=data["city"],
        districts=tuple(districts),
        hotlines=tuple(Hotline(str(h["number"]), h["name"], h.get("note", "")) for h in resources.get("hotlines", [])),
        centres=tuple(Centre(c["name"], c["district"], c.get("address", ""), c.get("phone", ""))
                      for c in resources.get("family_service_centres", [])),
        reporting=resources.get("reporting", ""),
    )


def _unit(raw: dict[str, Any], names: dict[str, str], city_level: bool = False) -> UnitSpec:
    return UnitSpec(
        name=raw["name"].format(**names),
        short=raw.get("short", raw["name"]).format(**names),
        network=raw.get("network", ""),
        secretariat=bool(raw.get("secretariat", False)),
        aliases=tuple(raw.get("aliases", [])),
        city_level=city_level,
    )


@lru_cache(maxsize=8)
def load_directory(path: Path) -> Directory:
    """Read and parse a roster file (cached: the file is configuration, identical in every worker)."""
    with open(path, encoding="utf-8") as handle:
        return parse_directory(yaml.safe_load(handle))
