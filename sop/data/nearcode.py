"""Codes a planner likely meant: `rs-asm1` or `RS-ASM 1` for `RS-ASM1` (only case or
spaces differ), `RS-ASMl` for `RS-ASM1` (one look-alike character), else a code one
typed character away. The data checks name them in their messages."""

from __future__ import annotations

from collections.abc import Iterable

# characters typed for one another: a code that differs by one of them is the likely one
_LOOK_ALIKE = {frozenset(p) for p in ("l1", "I1", "Il", "O0", "o0", "S5", "Z2", "B8")}


def _key(code: str) -> str:
    return "".join(code.split()).casefold()


def _one_edit(a: str, b: str) -> tuple[bool, bool]:
    """(`a` and `b` differ by one inserted, deleted or changed character, that change
    is one look-alike character for another)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False, False
    if len(a) == len(b):
        diff = [(x, y) for x, y in zip(a, b) if x != y]
        return len(diff) == 1, len(diff) == 1 and frozenset(diff[0]) in _LOOK_ALIKE
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k, (x, y) in enumerate(zip(short, long_)) if x != y), len(short))
    return short[i:] == long_[i + 1 :], False


def same_but_case(code: str, codes: Iterable[str]) -> str | None:
    """The code of `codes` that `code` differs from only in case or spaces, or None."""
    key = _key(code)
    return next((c for c in codes if c != code and _key(c) == key), None)


def near_codes(code: str, codes: Iterable[str]) -> list[str]:
    """The codes of `codes` that `code` is likely a typo of: the one differing only in
    case or spaces, else the one a look-alike character away (`RS-ASMl` -> `RS-ASM1`),
    else those one character away (at most 3)."""
    codes = sorted(set(codes) - {code})
    if (twin := same_but_case(code, codes)) is not None:
        return [twin]
    edits = {c: _one_edit(code, c) for c in codes}
    alike = [c for c, (one, look) in edits.items() if look]
    near = alike if len(alike) == 1 else [c for c, (one, _) in edits.items() if one]
    return near if len(near) <= 3 else []


def near_text(code: str, codes: Iterable[str]) -> str:
    """How `code` relates to the codes it is likely a typo of ('' if none)."""
    near = near_codes(code, codes)
    if not near:
        return ""
    if same_but_case(code, near):
        return f"`{code}` differs only in case or spaces from `{near[0]}`"
    return f"`{code}` looks like " + " or ".join(f"`{c}`" for c in near)
