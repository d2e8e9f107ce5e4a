"""Where the database is: the DATABASE_URL environment variable."""
import os


def database_url() -> str:
    """DATABASE_URL, for SQLAlchemy with the psycopg 3 driver.

    postgresql+psycopg://USER@HOST:PORT/DBNAME as SQLAlchemy writes it; a plain
    postgresql://... (as psql and the deployment guide write it) is taken to mean the same,
    since SQLAlchemy would otherwise pick psycopg2, which this project does not install.
    """
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError(
            "set DATABASE_URL, e.g. postgresql+psycopg://exam_app@localhost:5432/exam"
        )
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url
