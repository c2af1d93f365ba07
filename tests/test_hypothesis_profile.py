"""Fuzz tests are repeatable: the profile tests/conftest.py loads draws the same examples every run."""

from __future__ import annotations

import os
from typing import List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def draws() -> List[str]:
    seen: List[str] = []

    @settings(max_examples=20)
    @given(st.text(min_size=1, max_size=30))
    def record(text: str) -> None:
        seen.append(text)

    record()
    return seen


def test_the_repeatable_profile_is_loaded() -> None:
    if os.environ.get("HYPOTHESIS_PROFILE", "repeatable") != "repeatable":
        pytest.skip("another hypothesis profile was asked for")
    assert settings.default.derandomize is True
    assert settings.default.database is None


def test_two_runs_draw_the_same_examples() -> None:
    if os.environ.get("HYPOTHESIS_PROFILE", "repeatable") != "repeatable":
        pytest.skip("another hypothesis profile was asked for")
    first, second = draws(), draws()
    assert len(first) == 20 and first == second
