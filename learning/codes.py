"""The one-time code of a mentor's invite: long enough that guessing is hopeless,
short and plain enough to type from a projector or a paper slip.

Twelve characters, shown in three groups of four (like the twelve digits of a
citizen's ID card): eleven drawn at random and a check character (Luhn mod 26),
which catches every single mistyped character and nearly every swap of two
neighbours, so a typo is told apart from a wrong code and costs no guess.

The alphabet has the ten digits and the consonants that Vietnamese keyboards never
rewrite: no vowel, no D and no W, because Telex and VNI turn "aa", "dd", "w", "a1"
and the like into â, đ, ư, á while the villager types. Without them nothing typed
from the code can be turned into a Vietnamese letter. L is left out for looking
like 1; O and I, which people read for 0 and 1, are not in it and are read as 0
and 1. Letter case does not matter.

26 ** 11 = 3.67e15 codes: the README works out what that and the limits on wrong
codes make of an attacker's chances.
"""

import secrets

from stdnum import luhn

ALPHABET = "0123456789BCFGHJKMNPRSTVXZ"
LENGTH = 12  # with the check character
SPACE = len(ALPHABET) ** (LENGTH - 1)
# What people type for what they see: the letters a code never has.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -._\t\u00a0")


class Malformed(ValueError):
    """Not the shape of a code: wrong length or a character codes never have."""


class Mistyped(ValueError):
    """The shape of a code, but its check character does not match: a typo."""


def new_code() -> str:
    """A fresh random code, check character included."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return body + luhn.calc_check_digit(body, alphabet=ALPHABET)


def normalise(typed: str) -> str:
    """The code as stored, from what was typed; Malformed or Mistyped if it cannot be.

    Spaces, dashes and dots between the groups are dropped, case is ignored.
    """
    code = typed.upper().translate(_SEPARATORS).translate(_READ_AS)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        raise Malformed(code)
    if not luhn.is_valid(code, alphabet=ALPHABET):
        raise Mistyped(code)
    return code


def grouped(code: str) -> str:
    """The code as shown: three groups of four."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
