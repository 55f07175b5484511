"""NHS numbers: Modulus 11 validation and the keyed pseudonym that replaces them at import.

The raw number is never written anywhere. Because there are only about 10^9 possible NHS
numbers, an unkeyed hash would be reversible by enumeration, so the pseudonym is an
HMAC-SHA256 under a secret key kept outside the store: the environment variable
``PILOT_PSEUDONYM_KEY``, or a key file created on first use with 0600 permissions
(``PILOT_PSEUDONYM_KEY_FILE``, default ``~/.config/pilot-evaluation/pseudonym.key``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

KEY_ENV = "PILOT_PSEUDONYM_KEY"
KEY_FILE_ENV = "PILOT_PSEUDONYM_KEY_FILE"
WEIGHTS = np.arange(10, 1, -1)  # 10, 9, ..., 2 over the first nine digits

# Ten digits possibly split by spaces or hyphens (3-3-4 or any other grouping).
_NHS_LIKE = re.compile(r"(?<!\d)(?:\d[ -]?){9}\d(?!\d)")


def normalise(values: pd.Series) -> pd.Series:
    """Remove the spaces UK systems put in NHS numbers ("943 476 5919" → "9434765919")."""
    return values.str.replace(" ", "", regex=False)


def is_valid(values: pd.Series) -> pd.Series:
    """True where the (normalised) value is 10 digits with a correct Modulus 11 check digit."""
    ok = values.str.fullmatch(r"\d{10}").fillna(False).astype(bool).to_numpy()
    result = pd.Series(False, index=values.index)
    if ok.any():
        ten = np.asarray(values[ok].tolist(), dtype="S10")
        digits = ten.view(np.uint8).reshape(-1, 10).astype(np.int64) - 48
        remainder = (digits[:, :9] * WEIGHTS).sum(axis=1) % 11
        check = 11 - remainder
        check = np.where(check == 11, 0, check)
        result[ok] = (check != 10) & (check == digits[:, 9])
    return result


def check_digit_ok(number: str) -> bool:
    return bool(is_valid(pd.Series([number.replace(" ", "")])).iloc[0])


def key_file_path() -> Path:
    configured = os.environ.get(KEY_FILE_ENV)
    if configured:
        return Path(configured).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "pilot-evaluation" / "pseudonym.key"


def load_key() -> bytes:
    """The pseudonymisation key: from the environment, else the key file (created if absent)."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = key_file_path()
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


def key_fingerprint(key: bytes) -> str:
    """A value that identifies the key without revealing it (stored to catch a changed key)."""
    return hmac.new(key, b"pilot-evaluation key fingerprint", hashlib.sha256).hexdigest()[:16]


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA256 of each normalised NHS number under the key, as hex.

    The same value as ``hmac.new(key, number, sha256).hexdigest()`` (RFC 2104), with the keyed
    inner and outer hash states prepared once and copied per number: twice as fast over a
    million numbers as keying each HMAC afresh.
    """
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def one(number: str) -> str:
        i = inner.copy()
        i.update(number.encode("ascii"))
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()

    return pd.Series([one(v) for v in values.tolist()], index=values.index, dtype=object)


def mask_nhs_like(text: str) -> str:
    """Replace anything shaped like an NHS number with a mask (for rejects files and messages)."""
    return _NHS_LIKE.sub("[NHS number removed]", text)
