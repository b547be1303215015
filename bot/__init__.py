"""S3 Cluster Assistant: a Telegram assistant for cluster managers working on EU S3."""

__version__ = "0.1.0"
