"""The French catalogue covers every message of the pages (theirs, and the words of the errors
they show: ``says`` anywhere in src/accueil), and nothing else."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from accueil.web.i18n import catalogue_path, translator

SRC = Path(__file__).resolve().parents[2] / "src" / "accueil"
METHODS = [("**.py", "python"), ("web/templates/**.html", "jinja2")]  # as web/babel.cfg


def _extracted() -> set[str]:
    found = extract_from_dir(str(SRC), METHODS, keywords={"_": None, "N_": None, "says": None})
    return {item[2] for item in found if isinstance(item[2], str)}


def test_every_message_of_the_pages_has_its_french() -> None:
    with catalogue_path("fr").open("rb") as po:
        catalogue = read_po(po, locale="fr")
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    known = {m.id for m in catalogue if m.id}
    extracted = _extracted()
    assert sorted(extracted - translated) == [], "run `make messages` and translate these"
    assert sorted(known - extracted) == [], "messages no page uses any more"


def test_fields_are_filled_in_after_translation() -> None:
    assert translator("fr")("until %(time)s", time="15:00") == "jusqu'à 15:00"
    assert translator("en")("until %(time)s", time="3:00 PM") == "until 3:00 PM"
