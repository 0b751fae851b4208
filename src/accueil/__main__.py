"""``python -m accueil``: the same as the ``accueil`` command."""

from accueil.cli import main

main()
