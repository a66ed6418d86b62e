"""Unified social credit code (统一社会信用代码), GB 32100-2015."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first_seventeen: str) -> str:
    total = sum(
        ALPHABET.index(char) * weight for char, weight in zip(first_seventeen, WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why `code` is not a valid credit code, or None when it is."""
    if len(code) != LENGTH:
        return f"a unified social credit code has {LENGTH} characters, got {len(code)}"
    bad = sorted({char for char in code if char not in ALPHABET})
    if bad:
        return (
            f"a unified social credit code uses digits and capitals other than I, O, S, V, Z; "
            f"found {''.join(bad)!r}"
        )
    if not code[2:8].isdigit():
        return "characters 3 to 8 of a unified social credit code are the region code (digits)"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"the check character of {code} should be {expected!r}: is the code mistyped?"
    return None
