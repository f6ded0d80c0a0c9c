"""The fixed wording of notices: the title, the section headings, each data element in
plain words and what its protection means for the reader.

The English is here, marked for translation; every other language's words are in its
Babel catalog, ``locale/<language>/LC_MESSAGES/breachdesk.po``. A template may give
any of these words itself; whatever it leaves out comes from the catalog of its language,
and a saved template version records the words it was approved with.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from breachdesk.incidents.models import DataElement
from breachdesk.inputs import InputError

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "breachdesk"


def N_(message: str) -> str:
    """Marks a message for ``pybabel extract``; it is translated where it is used."""
    return message


TITLE = N_("Notice of Data Breach")
HEADINGS = {
    "what_happened": N_("What Happened"),
    "what_information": N_("What Information Was Involved"),
    "what_we_are_doing": N_("What We Are Doing"),
    "what_you_can_do": N_("What You Can Do"),
    "more_information": N_("For More Information"),
    "genuine": N_("How to Check This Notice Is Genuine"),
}
ELEMENTS = {
    DataElement.NAME: N_("name"),
    DataElement.ADDRESS: N_("postal address"),
    DataElement.EMAIL: N_("email address"),
    DataElement.PHONE: N_("phone number"),
    DataElement.DATE_OF_BIRTH: N_("date of birth"),
    DataElement.SSN: N_("Social Security number"),
    DataElement.DRIVERS_LICENSE: N_("driver's license number"),
    DataElement.STATE_ID: N_("state ID number"),
    DataElement.PASSPORT: N_("passport number"),
    DataElement.TAX_ID: N_("taxpayer identification number"),
    DataElement.FINANCIAL_ACCOUNT: N_("bank account number"),
    DataElement.PAYMENT_CARD: N_("payment card number"),
    DataElement.CARD_SECURITY_CODE: N_("card security code"),
    DataElement.PIN: N_("PIN"),
    DataElement.ACCOUNT_CREDENTIALS: N_("user name and password"),
    DataElement.MEDICAL: N_("medical information"),
    DataElement.HEALTH_INSURANCE: N_("health insurance information"),
    DataElement.BIOMETRIC: N_("biometric data"),
    DataElement.GENETIC: N_("genetic data"),
    DataElement.PRECISE_GEOLOCATION: N_("precise location data"),
    DataElement.OTHER: N_("other information"),
}
PROTECTION = {
    "clear": N_("It was not encrypted."),
    "encrypted": N_("It was encrypted, and the key was not taken, so it cannot be read."),
    "hashed": N_("It was scrambled so it cannot be read back."),
    "key_taken": N_("It was encrypted, but the key was taken too, so treat it as readable."),
}


def messages() -> list[str]:
    """Every message of the fixed wording, in a stable order."""
    return [TITLE, *HEADINGS.values(), *ELEMENTS.values(), *PROTECTION.values()]


@cache
def catalog(language: str) -> dict[str, str]:
    """The language's translations, message by message (empty for English)."""
    if language == "en":
        return {}
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        raise InputError(f"no catalog of notice wording for {language!r} ({path} is missing)")
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=language, domain=DOMAIN)
    return {
        message.id: message.string
        for message in parsed
        if message.id and message.string and not message.fuzzy
    }


def fixed_wording(language: str) -> dict[str, Any]:
    """The title, headings, elements and protection words in ``language``, as the fields
    of a notice template; a message the catalog does not translate is an error, never
    English in the middle of a Spanish letter."""
    translated = catalog(language)

    def words(message: str) -> str:
        if language == "en":
            return message
        if message not in translated:
            raise InputError(
                f"the {language!r} catalog has no translation of {message!r}: "
                f"add it to {LOCALE_DIR / language / 'LC_MESSAGES' / (DOMAIN + '.po')}"
            )
        return translated[message]

    return {
        "title": words(TITLE),
        "headings": {name: words(message) for name, message in HEADINGS.items()},
        "elements": {element.value: words(message) for element, message in ELEMENTS.items()},
        "protection": {held: words(message) for held, message in PROTECTION.items()},
    }
