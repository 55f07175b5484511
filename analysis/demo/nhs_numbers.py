"""Synthetic NHS numbers in the 999 000 0000 - 999 999 9999 test range.

An NHS number is ten digits; the tenth is a Modulus-11 check digit over the first nine with
weights 10, 9, ..., 2: check = 11 - (sum mod 11), where 11 becomes 0 and 10 means the nine
digits cannot form a valid number (those are skipped). The test range holds about 909,000 valid
numbers, enough for a national-scale place.
"""

from __future__ import annotations

import functools

import numpy as np

PREFIX = 999
WEIGHTS = np.arange(10, 1, -1)


def check_digits(first9: np.ndarray) -> np.ndarray:
    """The check digit for each nine-digit stem; 10 where the stem has no valid number."""
    stems = np.asarray(first9, dtype=np.int64)
    total = np.zeros(stems.shape, dtype=np.int64)
    for position, weight in enumerate(WEIGHTS):
        total += (stems // 10 ** (8 - position)) % 10 * weight
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


def is_valid(text: str) -> bool:
    """Whether ``text`` is ten digits (spaces allowed) with a correct Modulus-11 check digit."""
    digits = text.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = int(check_digits(np.asarray([int(digits[:9])]))[0])
    return check != 10 and check == int(digits[9])


@functools.cache
def all_valid_numbers() -> np.ndarray:
    """Every valid NHS number (int64) in the 999 test range, ascending (read-only)."""
    stems = PREFIX * 1_000_000 + np.arange(1_000_000, dtype=np.int64)
    check = check_digits(stems)
    valid = stems[check != 10] * 10 + check[check != 10]
    valid.flags.writeable = False
    return valid


def valid_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct valid NHS numbers (as int64) in the 999 test range, in random order."""
    return unused_numbers(rng, n, np.zeros(0, dtype=np.int64))


def unused_numbers(rng: np.random.Generator, n: int, used: np.ndarray) -> np.ndarray:
    """``n`` distinct valid test-range NHS numbers not in ``used``, in random order."""
    usable = all_valid_numbers()
    if len(used):
        usable = usable[~np.isin(usable, used)]
    if n > len(usable):
        raise ValueError(f"the NHS number test range has {len(usable)} valid numbers, {n} asked")
    return rng.choice(usable, size=n, replace=False)


def spaced(number: int) -> str:
    """The 3-3-4 spaced form, e.g. ``999 123 4567``."""
    text = f"{number:010d}"
    return f"{text[:3]} {text[3:6]} {text[6:]}"


def with_wrong_check_digit(number: int, rng: np.random.Generator) -> str:
    """The number with its last digit replaced so the Modulus-11 check fails."""
    text = f"{number:010d}"
    wrong = [d for d in "0123456789" if d != text[9]]
    return text[:9] + wrong[int(rng.integers(len(wrong)))]
