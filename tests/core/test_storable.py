"""Text no store can keep is found, with where it is and why."""

from __future__ import annotations

from accueil.core.storable import unstorable


def test_plain_text_lists_and_mappings_are_storable() -> None:
    assert unstorable({"name": "Zoé", "tags": ["a", "b"], "n": 3}) is None


def test_a_nul_is_found_with_its_item_and_position() -> None:
    where, reason = unstorable({"rules": [{"name": "ok"}, {"name": "a\x00"}]}, "body") or ("", "")
    assert where == "body.rules[1].name"
    assert "NUL" in reason and "position 2" in reason


def test_a_lone_surrogate_is_found_even_in_a_key() -> None:
    where, reason = unstorable({"\udc80x": 1}) or ("", "")
    assert where == ".\udc80x" and "\\udc80" in reason
