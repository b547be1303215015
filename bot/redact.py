"""Secrets kept out of every log record and error line.

PTB logs the Bot API URL with the token (DEBUG) and the webhook secret among setWebhook's
parameters, and some network errors quote the token; the database URL may hold a password.
"""

from __future__ import annotations

import logging

from bot.config import Settings

SECRETS: set[str] = set()
PASSWORDS: set[str] = set()  # masked where a URL holds them (":pw@"): a short one is a common word
MIN_PLAIN = 12  # shorter secrets are masked only in that URL form, not inside every word


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
        PASSWORDS.add(str(password))
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())


def redact(text: str) -> str:
    for secret in sorted(SECRETS, key=len, reverse=True):  # the whole token before its half
        if len(secret) >= MIN_PLAIN:
            text = text.replace(secret, "***")
    for password in PASSWORDS:
        text = text.replace(f":{password}@", ":***@")
        if len(password) >= MIN_PLAIN:
            text = text.replace(password, "***")
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not SECRETS and not PASSWORDS:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format: logging reports it itself, as without this filter
            return True
        record.msg, record.args = redact(message), None
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
