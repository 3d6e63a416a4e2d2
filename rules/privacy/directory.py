"""Public agency phone numbers and addresses (from the seed papers), which are not personal data."""
from __future__ import annotations

from functools import lru_cache

from rules.privacy.kinds import PublicDirectory
from rules.privacy.phones import canonical_phone


def _directory_from_seed() -> PublicDirectory:
    """Agency numbers and addresses from the seed papers (seeds/003, 004): public, not personal."""
    phones = (
        "034732320", "034970225", "034220126", "034750067", "033700886", "033883060", "033821110",
        "032182778", "033652105", "032127678", "033208485", "034333219", "034790231", "033867128",
        "033375900", "033322101", "032289582", "032726752", "034904649", "034226556",
        # Taipei agencies listed in seeds/004.
        "0223932393", "0228350247", "0228942640", "0225156222", "0225974280", "0223962340",
        "0223365700", "0227565018", "0227928701", "0227831407", "0227616515", "0227000960",
        "0229323587", "0233937885", "0223085230",
    )
    addresses = (
        "觀音區觀新路52號1樓", "新屋區中山路277號1樓", "中壢區元化路159號1樓", "楊梅區校前路324巷148號3樓",
        "桃園區國豐三街123號5樓", "大溪區中正路56號", "復興區羅浮68之6號", "桃園區陽明三街33號4樓",
        "八德區興豐路287號4樓", "蘆竹區南崁路152號3樓", "龜山區自強南路97號2樓", "內壢區文化二路219號4樓",
        "龍潭區干城路19巷30號", "大園區大觀路118號2樓", "桃園區縣府路1號4樓",
    )
    return PublicDirectory(frozenset(phones), frozenset(addresses))


DEFAULT_PUBLIC: PublicDirectory = _directory_from_seed()


@lru_cache(maxsize=16)
def merge_directory(public: PublicDirectory | None) -> PublicDirectory:
    """Built-in public agency data plus the caller's directory, with phones reduced to digits.

    Kept once per directory (a process has one): every screened text asks for it, and reducing each
    agency number again cost more than screening a short message.
    """
    if public is None:
        return DEFAULT_PUBLIC
    phones = DEFAULT_PUBLIC.phones | {canonical_phone(p) for p in public.phones}
    return PublicDirectory(phones, DEFAULT_PUBLIC.addresses | public.addresses)
