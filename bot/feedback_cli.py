"""`s3bot feedback export`: the survey responses as CSV or XLSX, for people and scripts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import inspect, make_url

from bot.config import Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.feedback import FeedbackResponse
from bot.knowledge import load_knowledge
from bot.services import feedback_export as export


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    feedback = sub.add_parser("feedback", help="SME feedback on piloted services")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", required=True)
    exp = feedback_sub.add_parser("export", help="one row per response, one column per question")
    exp.add_argument("--service", help="only this service id")
    exp.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    exp.add_argument("--output", type=Path, help="file to write (default: standard output)")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    kb = load_knowledge(settings.knowledge_dir)
    if args.service and args.service not in kb.services:
        print(f"s3bot: unknown service {args.service!r}; known: {', '.join(kb.services)}",
              file=sys.stderr)
        return 2
    if args.format == "xlsx" and args.output is None:
        print("s3bot: --format xlsx needs --output FILE", file=sys.stderr)
        return 2
    if args.output is not None and (args.output.is_dir() or not args.output.parent.is_dir()):
        print(f"s3bot: --output {args.output}: not a file in an existing folder", file=sys.stderr)
        return 2
    if _missing_sqlite_file(settings.database_url):  # connecting would create an empty file
        return _no_schema(settings)
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            migrated = await connection.run_sync(
                lambda c: inspect(c).has_table(FeedbackResponse.__tablename__))
        if not migrated:
            return _no_schema(settings)
        async with create_sessionmaker(engine)() as session:
            table = await export.export_table(session, dict(kb.surveys), dict(kb.services),
                                              args.service)
    finally:
        await engine.dispose()
    data = export.to_xlsx(table) if args.format == "xlsx" else export.to_csv(table)
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        args.output.write_bytes(data)
        print(f"{len(table.rows)} responses written to {args.output}", file=sys.stderr)
    return 0


def _missing_sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    name = parsed.database or ""
    return (parsed.get_backend_name() == "sqlite" and name not in ("", ":memory:")
            and not name.startswith("file:") and not Path(name).exists())


def _no_schema(settings: Settings) -> int:
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"s3bot: no bot database at {shown}: run `s3bot db upgrade` first, or check "
          "DATABASE_URL", file=sys.stderr)
    return 2
