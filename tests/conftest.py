"""Shared fixtures: a store built from the tiny fixture data and one from data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph import api, store

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory) -> Path:
    """A store built from tests/fixtures/data (a handful of true facts)."""
    path = tmp_path_factory.mktemp("fixture-store")
    api.build(path, data=FIXTURE_DATA)
    return path


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory) -> Path:
    """A store built from the bundled data/."""
    path = tmp_path_factory.mktemp("bundled-store")
    api.build(path)
    return path


@pytest.fixture(scope="session")
def bundled_reader(bundled_store):
    return store.open_reader(bundled_store)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or a skip with the reason."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"research datasets not found at {SHARED_DATA} (../shared/data is absent)")
    return SHARED_DATA
