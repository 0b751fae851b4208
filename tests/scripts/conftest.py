"""Fixtures for the script tests: the example scripts, built."""

from __future__ import annotations

import pytest
from script_examples import example

from accueil.core.scripts.build import build
from accueil.core.scripts.model import Script


@pytest.fixture
def law_firm() -> Script:
    return build([example("cabinet-martin.yaml", "account:1")])


@pytest.fixture
def law_firm_dupont() -> Script:
    return build(
        [
            example("cabinet-martin.yaml", "account:1"),
            example("cabinet-martin.dupont.yaml", "person:dupont:1"),
        ]
    )


@pytest.fixture
def clinic() -> Script:
    return build([example("clinique-du-parc.yaml", "account:1")])
