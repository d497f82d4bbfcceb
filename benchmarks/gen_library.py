"""Deterministic synthetic BibTeX libraries for the benchmarks (mixed types, 20 % Chinese)."""

from __future__ import annotations

import random

FAMILIES = ["Smith", "Müller", "García", "Nguyen", "O'Brien", "van der Berg", "Kowalski", "Rossi", "Tanaka", "Dubois"]
GIVENS = ["John", "Anna Maria", "Li", "Pierre", "Ewa", "Kenji", "Olga", "Ahmed"]
CJK_FAMILIES = ["张", "李", "王", "刘", "陈"]
CJK_GIVENS = ["三", "四", "五", "建宁", "晓明"]
ORGS = ["{National Institute of Standards and Technology}", "{United States Congress}",
        "{Congressional Research Service}", "{World Health Organization}"]
WORDS = "advanced manufacturing policy network innovation analysis report systems data model security".split()


def _distinct(name: str, i: int, k: int) -> str:
    """A name no other entry has (a letter code from the entry and position): defeats any memo of names."""
    code, n = "", i * 16 + k
    while True:
        code += "abcdefghijklmnopqrstuvwxyz"[n % 26]
        n //= 26
        if not n:
            return name + code


def entry(i: int, rng: random.Random, distinct: bool = False) -> str:
    kind = rng.choices(["article", "inproceedings", "report", "book", "incollection", "online", "thesis",
                        "legislation", "standard"], [40, 12, 12, 10, 8, 8, 5, 3, 2])[0]
    chinese = rng.random() < 0.2
    if rng.random() < 0.1:
        authors = rng.choice(ORGS)
    elif chinese:
        people = [(rng.choice(CJK_FAMILIES), rng.choice(CJK_GIVENS)) for _ in range(rng.randint(1, 5))]
        authors = " and ".join(f"{f}, {g}" for f, g in people)
    else:
        people = [(rng.choice(FAMILIES), rng.choice(GIVENS)) for _ in range(rng.randint(1, 9))]
        authors = " and ".join(f"{f}, {g}" for f, g in people)
    if distinct and "{" not in authors:
        authors = " and ".join(f"{_distinct(f, i, k)}, {g}" for k, (f, g) in enumerate(people))
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))).capitalize()
    if chinese:
        title = "智能制造" + title[:4] + "的发展"
    fields = [("author", authors), ("title", title), ("date", f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}")]
    if kind == "article":
        fields += [("journaltitle", "Journal of " + rng.choice(WORDS).title()), ("volume", str(rng.randint(1, 90))),
                   ("number", str(rng.randint(1, 12))), ("pages", f"{rng.randint(1, 500)}--{rng.randint(501, 900)}")]
    elif kind in ("inproceedings", "incollection"):
        fields += [("booktitle", "Proceedings of " + rng.choice(WORDS).title()), ("publisher", "IEEE"),
                   ("location", "New York"), ("pages", "1--10")]
    elif kind in ("report", "standard"):
        fields += [("institution", "National Institute of Standards and Technology"), ("location", "Gaithersburg, MD"),
                   ("number", f"NIST SP 800-{i}")]
    elif kind == "book":
        fields += [("publisher", "Springer"), ("location", "Berlin"), ("edition", "2")]
    elif kind == "thesis":
        fields += [("institution", "MIT"), ("type", "phdthesis")]
    elif kind == "legislation":
        fields += [("number", f"H.R. {i}"), ("type", "bill")]
    if rng.random() < 0.25 or kind == "online":
        fields += [("url", f"https://example.org/{i}/a%20b"), ("urldate", "2024-03-01")]
    if rng.random() < 0.4:
        fields += [("doi", f"10.1000/x{i}")]
    fields.append(("langid", "chinese" if chinese else "english"))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@{kind}{{k{i},\n{body},\n}}\n"


def library(n: int, seed: int = 7, distinct_names: bool = False) -> str:
    """``n`` entries. The names come from a small pool, as a real library's authors recur;
    ``distinct_names`` gives every author of every entry a surname of its own instead."""
    rng = random.Random(seed)
    return "\n".join(entry(i, rng, distinct_names) for i in range(n))
