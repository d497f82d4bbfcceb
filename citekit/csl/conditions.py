"""Conditions of ``cs:if`` and ``cs:else-if`` (CSL 1.0.2 "Choose").

A branch's attributes are read once: each test becomes a function of the context with its value
bound, and the branch's ``match`` combines them into one ``Test``. Tests run in document order
and stop as soon as the answer is known (``disambiguate="true"`` tests count how often they run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from citekit.csl.dates import has_date, is_uncertain_date
from citekit.csl.items import DATE_VARIABLES, NAME_VARIABLES
from citekit.csl.numbers import is_numeric
from citekit.csl.variables import getter, present

if TYPE_CHECKING:
    from citekit.csl.context import Context
    from citekit.csl.style import El

Test = Callable[["Context"], bool]


def compile_test(branch: El) -> Test:
    """A branch's conditions as one function (False when it has none).

    Under match="any" or "none", a type test with several values is one check of membership
    (``type="book report"``): the same answer as testing each value in turn.
    """
    match = branch.attrs.get("match", "all")
    tests: list[Test] = []
    for attr, values in branch.attrs.items():
        make = _CONDITIONS.get(attr)
        if make is None:
            continue
        if make is _cond_type and match in ("any", "none"):
            tests.append(_cond_type_in(frozenset(values.split())))
        else:
            tests += [make(value) for value in values.split()]
    if not tests:
        return _never
    negate = match in ("none", "nand")
    if len(tests) == 1:
        only = tests[0]
        return (lambda ctx: not only(ctx)) if negate else only
    if match in ("any", "none"):
        def any_of(ctx: Context) -> bool:
            for test in tests:
                if test(ctx):
                    return not negate
            return negate

        return any_of

    def all_of(ctx: Context) -> bool:
        for test in tests:
            if not test(ctx):
                return negate
        return not negate

    return all_of


def type_test(branch: El) -> Callable[[str | None], bool] | None:
    """A branch's conditions as a function of the item's type, when the type is all they read."""
    conditions = [attr for attr in branch.attrs if attr in _CONDITIONS]
    if not conditions or any(attr != "type" for attr in conditions):
        return None
    test = compile_test(branch)
    return lambda kind: test(_TypeOnly(kind))  # type: ignore[arg-type]


class _TypeOnly:
    """A stand-in context for type tests, which read nothing but ``ctx.item["type"]``."""

    __slots__ = ("item",)

    def __init__(self, kind: str | None) -> None:
        self.item = {"type": kind}


def _never(ctx: Context) -> bool:
    return False


def _cond_type_in(values: frozenset[str]) -> Test:
    return lambda ctx: ctx.item.get("type") in values


def _cond_type(value: str) -> Test:
    return lambda ctx: ctx.item.get("type") == value


def _cond_variable(value: str) -> Test:
    if value == "locator":
        return lambda ctx: bool(ctx.cite.locator) and ctx.mode == "citation"
    if value in NAME_VARIABLES:
        return lambda ctx: bool(ctx.item.get(value)) and value not in ctx.suppressed
    if value in DATE_VARIABLES:
        return lambda ctx: value not in ctx.suppressed and has_date(ctx.item.get(value))
    return present(value)


def _cond_numeric(value: str) -> Test:
    get = getter(value)

    def numeric(ctx: Context) -> bool:
        raw = get(ctx)
        return raw is not None and is_numeric(str(raw))

    return numeric


def _cond_uncertain(value: str) -> Test:
    return lambda ctx: value not in ctx.suppressed and is_uncertain_date(ctx.item.get(value))


def _cond_locator(value: str) -> Test:
    def locator(ctx: Context) -> bool:
        if not ctx.cite.locator or ctx.mode != "citation":
            return False
        label = ctx.cite.label or "page"
        return label == value or (value == "sub-verbo" and label == "sub verbo")

    return locator


def _cond_position(value: str) -> Test:
    def position(ctx: Context) -> bool:
        if ctx.mode != "citation":
            return False
        pos = ctx.cite.position
        if value == "first":
            return pos == "first"
        if value == "subsequent":
            return pos != "first"
        if value == "ibid":
            return pos in ("ibid", "ibid-with-locator")
        if value == "ibid-with-locator":
            return pos == "ibid-with-locator"
        if value == "near-note":
            return pos != "first" and ctx.cite.near_note
        return False

    return position


def _cond_disambiguate(value: str) -> Test:
    def disambiguate(ctx: Context) -> bool:
        if value != "true":
            return not ctx.disamb.condition
        # citeproc-js turns a style's disambiguate="true" tests on one at a time, in document
        # order of the layout, until the cites differ: the pass sets how many are on.
        ctx.disamb_tests += 1
        return ctx.disamb_tests <= int(ctx.disamb.condition)

    return disambiguate


_CONDITIONS: dict[str, Callable[[str], Test]] = {
    "type": _cond_type, "variable": _cond_variable, "is-numeric": _cond_numeric,
    "is-uncertain-date": _cond_uncertain, "locator": _cond_locator, "position": _cond_position,
    "disambiguate": _cond_disambiguate,
}
