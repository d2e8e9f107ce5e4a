import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

# exam_app, from the project's root (examples/alembic)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exam_app.db import database_url  # noqa: E402


@pytest.fixture(scope="session")
def engine():
    try:
        url = database_url()
    except RuntimeError as error:
        pytest.skip(str(error))
    engine = create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    with engine.connect() as connection:
        yield connection
