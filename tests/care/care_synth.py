"""A deterministic synthetic library of US government documents, for round-trip tests and benchmarks.

``messy=True`` varies the layout (tabs, aligned ``=``, quotes, upper-case names, field order) the
way hand-edited files do, so tidy has real work to do.
"""

from __future__ import annotations

import random

SERIES = ["SP", "IR", "TN", "AMS", "GCR", "FIPS", "HB"]
AGENCIES = [
    "National Institute of Standards and Technology", "Congressional Research Service",
    "Government Accountability Office", "Department of Energy", "The White House",
]
SURNAMES = ["Rose", "Ross", "Grother", "M{\\\"u}ller", "Garc{\\'\\i}a", "Dang", "Black", "Hall", "Perine", "Ngan"]
GIVEN = ["Scott", "Ron", "Patrick", "Anna", "Jos{\\'e}", "Quynh", "Paul", "Kyle", "Lori", "Mei"]
WORDS = (
    "zero trust architecture security engineering systems privacy framework artificial intelligence risk "
    "management guide cryptographic standard hash face recognition vendor test demographic effects "
    "manufacturing innovation benchmarking network semiconductor supply chain resilience workforce"
).split()
ZH_TITLES = ["信息安全技术", "人工智能风险管理框架", "零信任体系结构", "半导体供应链"]


def _title(rng: random.Random, i: int) -> str:
    if rng.random() < 0.1:
        return rng.choice(ZH_TITLES) + f"（第{i}版）"
    words = rng.sample(WORDS, rng.randint(3, 8))
    t = " ".join(words).capitalize() + f" {i}"
    if rng.random() < 0.2:
        t = t.replace(words[1], "{" + words[1].upper() + "}", 1)
    return t


def _authors(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return "{" + rng.choice(AGENCIES) + "}"
    return " and ".join(f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 5)))


def entry_fields(rng: random.Random, i: int) -> tuple[str, list[tuple[str, str, str]]]:
    """(entry type, [(name, raw value as written incl. delimiters, kind)])."""
    kind = rng.random()
    year = rng.randint(1990, 2025)
    f: list[tuple[str, str, str]] = [("author", "{" + _authors(rng) + "}", "")]
    f.append(("title", "{" + _title(rng, i) + "}", ""))
    if kind < 0.45:
        etype = "report"
        series = rng.choice(SERIES)
        num = f"{rng.randint(100, 8999)}-{i}"
        f += [("institution", "nist", ""), ("type", "{NIST " + series + "}", ""), ("number", "{" + num + "}", "")]
        f.append(("date", "{" + f"{year}-{rng.randint(1, 12):02d}" + "}", ""))
        if rng.random() < 0.6:
            f.append(("doi", "{10.6028/NIST." + f"{series}.{num}" + "}", ""))
    elif kind < 0.65:
        etype = "online"
        f += [("organization", "{" + rng.choice(AGENCIES) + "}", ""), ("year", str(year), "")]
        f.append(("month", rng.choice(["jan", "may", "sep", "dec"]), ""))
    elif kind < 0.8:
        etype = "legislation"
        congress = rng.randint(100, 118)
        f = [("title", "{" + _title(rng, i) + "}", "")]
        f += [("number", "{H.R. " + str(rng.randint(1, 9999)) + "}", ""), ("congress", str(congress), "")]
        f += [("date", "{" + str(year) + "}", ""), ("type", "{bill}", "")]
    else:
        etype = "article"
        f += [("journaltitle", "{Journal of Research of NIST}", ""), ("volume", str(rng.randint(90, 130)), "")]
        f += [("pages", "{" + f"{rng.randint(1, 99)}--{rng.randint(100, 200)}" + "}", ""), ("year", str(year), "")]
        if rng.random() < 0.5:
            f.append(("doi", "{10.6028/jres." + f"{rng.randint(100, 130)}.{i:06d}" + "}", ""))
    if etype == "online" or rng.random() < 0.3:
        f.append(("url", "{https://www.example.gov/pubs/" + f"{i}/a_b%20c" + "}", ""))
        f.append(("urldate", "{" + f"{year + 1}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}" + "}", ""))
    if rng.random() < 0.1:
        f.append(("note", '"' + "Series " + rng.choice(WORDS) + '"', ""))
    return etype, f


def generate(n: int, seed: int = 0, messy: bool = False) -> str:
    rng = random.Random(seed)
    out = [
        "% Synthetic library generated for citekit tests and benchmarks.\n",
        "@string{nist = {National Institute of Standards and Technology}}\n",
        '@preamble{"\\providecommand{\\noopsort}[1]{}"}\n',
    ]
    for i in range(n):
        etype, fields = entry_fields(rng, i)
        key = f"entry{i}"
        style = rng.randrange(4) if messy else 0
        if messy and rng.random() < 0.3:
            rng.shuffle(fields)
        if style == 0:
            body = "".join(f"  {k} = {v},\n" for k, v, _ in fields)
            out.append(f"\n@{etype}{{{key},\n{body}}}\n")
        elif style == 1:
            body = "".join(f"\t{k.upper()}={v},\n" for k, v, _ in fields)
            out.append(f"\n@{etype.capitalize()}{{{key},\n{body}}}\n")
        elif style == 2:
            width = max(len(k) for k, _, _ in fields)
            body = ",\n".join(f"  {k.ljust(width)} = {v}" for k, v, _ in fields)
            out.append(f"\n@{etype}{{ {key} ,\n{body}\n}}\n")
        else:
            body = ", ".join(f"{k}={v}" for k, v, _ in fields)
            out.append(f"\n@{etype}{{{key}, {body}}}\n")
    return "".join(out)
