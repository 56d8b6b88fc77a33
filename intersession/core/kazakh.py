"""Kazakh case endings on values put into sentences ("18:00-ден кейін", "5 желтоқсанға дейін",
"5 желтоқсанда басталады").

Kazakh puts the case on the word before a postposition, and the ending follows the word's last
sound and last vowel. A value that a sentence fills in (a time, a date, a name) gets it here, by
`with_case(text, case)`: in any other language the text comes back as it was, so one call serves
every catalogue. A number ends as it is read aloud: "18:00" as "...нөл" (-ден), "18:30" as
"...отыз" (-дан), "2026" as "...алты" (-дан).
"""

from __future__ import annotations

import re

from flask_babel import get_locale

ABLATIVE = "ablative"  # -дан/-ден, -тан/-тен, -нан/-нен: before "кейін", "бастап"
DATIVE = "dative"  # -ға/-ге, -қа/-ке: before "дейін"
LOCATIVE = "locative"  # -да/-де, -та/-те: "on" a day ("5 желтоқсанда басталады")

BACK_VOWELS = set("аоұыяАОҰЫЯ")
FRONT_VOWELS = set("әеөүіэиюёӘЕӨҮІЭИЮЁ")
VOWELS = BACK_VOWELS | FRONT_VOWELS | set("уУ")
NASALS = set("мнңМНҢ")
VOICELESS = set("кқпстфхцчшщбвгдКҚПСТФХЦЧШЩБВГД")  # б в г д sound voiceless at a word's end

# The word a number is read with last: its last non-zero digit's place decides.
UNITS = ("нөл", "бір", "екі", "үш", "төрт", "бес", "алты", "жеті", "сегіз", "тоғыз")
TENS = ("", "он", "жиырма", "отыз", "қырық", "елу", "алпыс", "жетпіс", "сексен", "тоқсан")
LAST_NUMBER = re.compile(r"(\d+)\W*$")
CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]+", re.IGNORECASE)


def _spoken_tail(text: str) -> tuple[str, bool]:
    """The word the text ends with when read aloud, and whether it was written in digits."""
    number = LAST_NUMBER.search(text)
    if number is not None and number.end() == len(text.rstrip()):
        digits = number.group(1)
        value = int(digits)
        if value == 0:
            return UNITS[0], True
        if value % 10:
            return UNITS[value % 10], True
        if value % 100:
            return TENS[value % 100 // 10], True
        if value % 1000:
            return "жүз", True
        return "мың", True
    words = re.findall(r"[^\W\d_]+", text)
    return (words[-1] if words else ""), False


def _ending(word: str, case: str) -> str:
    last = word[-1]
    vowels = [c for c in word if c in BACK_VOWELS or c in FRONT_VOWELS]
    front = bool(vowels) and vowels[-1] in FRONT_VOWELS
    a = "е" if front else "а"
    if case == DATIVE:
        return ("к" if front else "қ") + a if last in VOICELESS else ("г" if front else "ғ") + a
    if case == LOCATIVE:
        return ("т" if last in VOICELESS else "д") + a
    if last in NASALS:
        return "н" + a + "н"
    if last in VOICELESS:
        return "т" + a + "н"
    return "д" + a + "н"


def kazakh_case(text: str, case: str) -> str:
    """The text with the Kazakh case ending (a hyphen after digits, as Kazakh writes it)."""
    stripped = text.rstrip()
    word, digits = _spoken_tail(stripped)
    if not CYRILLIC.fullmatch(word):
        return text  # a name in Latin letters: left as written
    ending = _ending(word, case)
    return f"{stripped}-{ending}" if digits else f"{stripped}{ending}"


def with_case(text: str, case: str) -> str:
    """In Kazakh, the text with the case the sentence puts on it; in other languages, as it is."""
    locale = get_locale()
    if locale is None or locale.language != "kk":
        return text
    return kazakh_case(text, case)
