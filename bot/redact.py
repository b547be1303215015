"""Secrets kept out of every log record and error line.

PTB logs the Bot API URL with the token (DEBUG) and the webhook secret among setWebhook's
parameters, and some network errors quote the token; the database URL may hold a password.
"""

from __future__ import annotations

import logging

from bot.config import Settings

SECRETS: set[str] = set()


def hide_secrets(settings: Settings) -> None:
    from sqlalchemy import make_url

    if settings.telegram_bot_token is not None:
        token = settings.token()
        SECRETS.update({token, token.partition(":")[2]})  # URL errors quote the half after ":"
        SECRETS.add(settings.webhook_secret_value())
    try:
        password = make_url(settings.database_url).password
    except Exception:
        password = None
    if password:
        SECRETS.add(str(password))
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())


def redact(text: str) -> str:
    for secret in sorted(SECRETS, key=len, reverse=True):  # the whole token before its half
        text = text.replace(secret, "***")
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not SECRETS:
            return True
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and record.msg.startswith("Network Retry Loop (Bootstrap"):
            # PTB logs a failed start with a traceback; `main` then says why in one line.
            record.exc_info, record.exc_text = None, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
