"""What ``common`` prints to a learner, in the notebook's language (introduced in chapter 0).

Every learner-facing message (a self-check's verdict and hint, a widget's label,
progress text) is written in English and wrapped in ``_()``; a Japanese notebook
(``chapters/ja``, or ``COURSE_LANG=ja``) gets its translation from the gettext catalogue
``locale/ja/LC_MESSAGES/common.po`` (compiled to ``common.mo``). Placeholders are
named and filled after translation, so a translator can move them::

    print(_BAD, _("at {where} you returned {got:g}").format(where=where, got=got))

``N_()`` only marks a message (a hint kept in a table at import time); pass it through
``_()`` where it is printed. ``make translations`` collects the marked messages into
the catalogue; see CONTRIBUTING.md, "Translations".
"""

from __future__ import annotations

import gettext
from pathlib import Path

from common.config import LANG, LANGUAGES

LOCALE_DIR: Path = Path(__file__).resolve().parent / "locale"
"""Where the compiled catalogues are: ``locale/<lang>/LC_MESSAGES/common.mo``."""

DOMAIN = "common"

_catalogue: gettext.NullTranslations = gettext.NullTranslations()
language: str = "en"


def set_language(lang: str) -> None:
    """Print learner messages in ``lang`` from now on (``en`` or ``ja``)."""
    global _catalogue, language
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    if lang == "en":
        _catalogue = gettext.NullTranslations()
    else:
        try:
            _catalogue = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
        except FileNotFoundError as exc:
            raise FileNotFoundError(
                f"no {lang} catalogue in {LOCALE_DIR}: run `make translations` to compile it") from exc
    language = lang


def _(message: str) -> str:
    """``message`` in the current language (itself when untranslated)."""
    return _catalogue.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (translate it with ``_()``)."""
    return message


set_language(LANG)
