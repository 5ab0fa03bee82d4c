"""Random but valid identities: name, sex, ethnicity, birth date, address, ID number, issuing authority, validity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

from . import data
from .data import Region

# Fixed "today" so that generated sets never depend on the wall clock.
REFERENCE_DATE = dt.date(2025, 6, 1)
LONG_TERM = "长期"
ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_REGION_BY_CODE = {r.code: r for r in data.REGIONS}


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@dataclass(frozen=True)
class Identity:
    name: str
    gender: str  # 男 / 女
    ethnicity: str  # one of data.ETHNIC_GROUPS
    birth: dt.date
    address: str  # no line breaks; the card wraps it
    id_number: str
    issuing_authority: str
    valid_from: dt.date
    valid_to: dt.date | None  # None = 长期

    @property
    def valid_to_text(self) -> str:
        return LONG_TERM if self.valid_to is None else self.valid_to.isoformat()

    @property
    def validity_printed(self) -> str:
        end = LONG_TERM if self.valid_to is None else self.valid_to.strftime("%Y.%m.%d")
        return f"{self.valid_from.strftime('%Y.%m.%d')}-{end}"

    def ground_truth(self, sides: tuple[str, ...] | list[str] = ("front", "back")) -> dict:
        """The API body fields a perfect reader returns; fields of absent sides are None."""
        front, back = "front" in sides, "back" in sides
        return {
            "name": self.name if front else None,
            "gender": self.gender if front else None,
            "ethnicity": self.ethnicity if front else None,
            "dateOfBirth": self.birth.isoformat() if front else None,
            "address": self.address if front else None,
            "idNumber": self.id_number if front else None,
            "issuingAuthority": self.issuing_authority if back else None,
            "validFrom": self.valid_from.isoformat() if back else None,
            "validTo": self.valid_to_text if back else None,
            "sides": [s for s in ("front", "back") if s in sides],
        }


def _pick(rng: np.random.Generator, seq: tuple[str, ...] | str) -> str:
    return seq[int(rng.integers(len(seq)))]


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def validity_years(age_at_issue: int) -> int | None:
    """Years of validity by age at issue; None = long-term."""
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def random_name(rng: np.random.Generator, gender: str, ethnicity: str) -> str:
    male = gender == "男"
    if ethnicity in data.DOT_NAME_GROUPS and rng.random() < 0.85:
        if ethnicity == "俄罗斯":
            return _pick(rng, data.RUSSIAN_GIVEN) + "·" + _pick(rng, data.UYGHUR_FATHER)
        given = _pick(rng, data.UYGHUR_MALE if male else data.UYGHUR_FEMALE)
        return given + "·" + _pick(rng, data.UYGHUR_FATHER)
    if ethnicity in data.TIBETAN_NAME_GROUPS and rng.random() < 0.8:
        first = _pick(rng, data.TIBETAN_PARTS)
        return first if rng.random() < 0.15 else first + _pick(rng, data.TIBETAN_PARTS)
    if ethnicity in data.MONGOLIAN_NAME_GROUPS and rng.random() < 0.6:
        given = _pick(rng, data.MONGOLIAN_GIVEN)
        return given if rng.random() < 0.5 else _pick(rng, data.MONGOLIAN_SURNAMES) + given
    surname = _pick(rng, data.COMPOUND_SURNAMES) if rng.random() < 0.04 else _pick(rng, data.SURNAMES)
    n_given = 1 if rng.random() < 0.22 else 2
    if len(surname) == 2 and rng.random() < 0.3:
        n_given = 1
    pool = data.GIVEN_MALE if male else data.GIVEN_FEMALE
    chars = [_pick(rng, pool) for _ in range(n_given)]
    if rng.random() < 0.06:  # a rare character
        chars[int(rng.integers(n_given))] = _pick(rng, data.RARE_GIVEN)
    return surname + "".join(chars)


def _street_part(rng: np.random.Generator) -> str:
    road = _pick(rng, data.ROAD_NAMES) + _pick(rng, data.ROAD_SUFFIX)
    no = int(rng.integers(1, 400))
    style = rng.random()
    if style < 0.25:
        return f"{road}{no}号"
    if style < 0.5:
        room = f"{rng.integers(1, 33)}{rng.integers(1, 5):02d}"
        return f"{road}{no}号{rng.integers(1, 30)}栋{rng.integers(1, 7)}单元{room}室"
    if style < 0.7:
        return f"{road}{no}号院{rng.integers(1, 20)}号楼{rng.integers(1, 6)}单元{rng.integers(101, 2605)}"
    if style < 0.85:
        return f"{road}{no}号{_pick(rng, data.ESTATES)}{rng.integers(1, 40)}栋{rng.integers(101, 3305)}室"
    return f"{road}{no}号{rng.integers(1, 12)}幢{rng.integers(1, 4)}-{rng.integers(1, 30)}-{rng.integers(1, 9)}"


def _village_part(rng: np.random.Generator) -> str:
    town = _pick(rng, data.TOWNS) + _pick(rng, data.TOWN_SUFFIX)
    village = _pick(rng, data.VILLAGES) + "村"
    style = rng.random()
    if style < 0.4:
        return f"{town}{village}{rng.integers(1, 16)}组{rng.integers(1, 120)}号"
    if style < 0.7:
        return f"{town}{village}{_pick(rng, data.VILLAGES)}{_pick(rng, data.HAMLETS)}{rng.integers(1, 90)}号"
    if style < 0.85:
        return f"{town}{village}委会{rng.integers(1, 12)}组"
    return f"{village}{rng.integers(1, 200)}号"


def address_units(text: str) -> float:
    """Approximate printed width in Han-character units (ASCII is about half width)."""
    return sum(0.55 if ord(c) < 128 else 1.0 for c in text)


def random_address(rng: np.random.Generator, region: Region) -> str:
    for _ in range(20):
        rural = not region.is_urban_district or rng.random() < 0.15
        detail = _village_part(rng) if rural else _street_part(rng)
        addr = region.prefix + detail
        if region.province == "" and rng.random() < 0.3:  # a short one-line address (municipalities)
            addr = region.prefix + _pick(rng, data.ROAD_NAMES) + "路" + str(int(rng.integers(1, 99))) + "号"
        if address_units(addr) <= 42:
            return addr
    return region.prefix + f"{_pick(rng, data.ROAD_NAMES)}路{rng.integers(1, 99)}号"


def issuing_authority_for(region: Region) -> str:
    district = region.district
    if district.endswith("区") and region.city.endswith("市"):
        short = district.removesuffix("新区") if district.endswith("新区") else district.removesuffix("区")
        if len(short) < 2:
            short = district
        return f"{region.city}公安局{short}分局"
    return f"{district}公安局"


def long_authority_for(region: Region, rng: np.random.Generator) -> str:
    """The issuing authority written out in full, as some cards print it (long enough to wrap on two lines):
    XX省XX市公安局XX分局, XX省XX市XX县公安局, XX市公安局XX区分局."""
    district, city, province = region.district, region.city, region.province
    if district.endswith("区") and city.endswith("市"):
        if province and rng.random() < 0.7:
            short = district.removesuffix("区") if len(district) > 2 else district
            return f"{province}{city}公安局{short}分局"
        return f"{city}公安局{district}分局"
    return f"{province}{city}{district}公安局"


def region_of(identity: Identity) -> Region:
    return _REGION_BY_CODE.get(identity.id_number[:6]) or Region(identity.id_number[:6], "", "某某市", "某某区")


def latin_name(rng: np.random.Generator) -> str:
    """A name with Latin letters, as a few cards print them (rare): a surname and one or two capitals (赵C), or
    a transliterated given name with a Latin initial after the middle dot."""
    letters = "".join(chr(ord("A") + int(rng.integers(26))) for _ in range(1 if rng.random() < 0.75 else 2))
    if rng.random() < 0.75:
        return _pick(rng, data.SURNAMES) + letters
    return _pick(rng, data.RUSSIAN_GIVEN) + "·" + letters[0]


def random_birth(rng: np.random.Generator) -> dt.date:
    # Ages 1-90, weighted towards working age.
    age_days = int(np.clip(rng.normal(38, 17), 1, 90) * 365.25 + rng.integers(0, 365))
    return REFERENCE_DATE - dt.timedelta(days=age_days)


def random_id_number(rng: np.random.Generator, region_code: str, birth: dt.date, gender: str) -> str:
    seq = int(rng.integers(0, 500)) * 2 + (1 if gender == "男" else 0)
    first17 = f"{region_code}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def random_validity(rng: np.random.Generator, birth: dt.date) -> tuple[dt.date, dt.date | None]:
    """Issue date and end date consistent with age at issue; about 8% of cards already expired."""
    earliest = max(birth + dt.timedelta(days=30), dt.date(2004, 1, 1))
    span = (REFERENCE_DATE - earliest).days
    want_expired = rng.random() < 0.08
    for _ in range(40):
        issued = earliest + dt.timedelta(days=int(rng.integers(0, max(span, 1))))
        years = validity_years(age_on(birth, issued))
        end = None if years is None else add_years(issued, years)
        if (end is not None and end <= REFERENCE_DATE) == want_expired:
            break
    return issued, end


def random_identity(
    rng: np.random.Generator,
    *,
    ethnicity: str | None = None,
    gender: str | None = None,
    name: str | None = None,
    region_code: str | None = None,
) -> Identity:
    if ethnicity is None:
        ethnicity = "汉" if rng.random() < 0.85 else _pick(rng, data.ETHNIC_GROUPS[1:])
    if gender is None:
        gender = "男" if rng.random() < 0.5 else "女"
    if region_code is None:
        home = data.HOME_REGIONS.get(ethnicity)
        region = (
            _REGION_BY_CODE[_pick(rng, home)]
            if home and rng.random() < 0.75
            else data.REGIONS[int(rng.integers(len(data.REGIONS)))]
        )
    else:
        region = _REGION_BY_CODE.get(region_code) or Region(region_code, "", "某某市", "某某区")
    birth = random_birth(rng)
    valid_from, valid_to = random_validity(rng, birth)
    return Identity(
        name=name or random_name(rng, gender, ethnicity),
        gender=gender,
        ethnicity=ethnicity,
        birth=birth,
        address=random_address(rng, region),
        id_number=random_id_number(rng, region.code, birth, gender),
        issuing_authority=issuing_authority_for(region),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def with_fields(identity: Identity, **changes: object) -> Identity:
    """A copy with some fields replaced (e.g. a specific name); keeps the ID number's check char valid only if
    id_number is not among the changes and birth/gender are not changed."""
    return replace(identity, **changes)  # type: ignore[arg-type]
