"""Telegram handlers, one module per feature; `bot.app.build_app` registers them in order."""
