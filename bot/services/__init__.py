"""Business logic. Services take an AsyncSession and plain values and return dataclasses;
they never import telegram, so the CLI and tests use them directly."""
