"""Staff: /report [service] (figures and a chart) and /export [service] [csv|xlsx]."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.ext import CommandHandler

from bot.handlers.common import (
    Context,
    Request,
    admin_only,
    release_db,
    reply,
    with_request,
)
from bot.knowledge.surveys import Service, Survey, localized
from bot.rendering import label, render
from bot.services import feedback_export as export
from bot.services.feedback_chart import ChartSeries, distribution_chart
from bot.services.feedback_report import feedback_report
from bot.services.feedback_responses import close_abandoned


def _services(req: Request, context: Context) -> tuple[list[Service], Survey | None] | None:
    """The services a command is about (its first argument, or all) and their survey."""
    kb = req.index.kb
    arg = context.args[0] if context.args else None
    if arg and arg.lower() not in ("csv", "xlsx"):
        service = kb.services.get(arg)
        return ([service], kb.survey_for(service)) if service else None
    services = list(kb.services.values())
    survey = kb.survey_for(services[0]) if services else None
    return [s for s in services if kb.survey_for(s) == survey], survey


async def _unknown(update: Update, req: Request, name: str) -> None:
    await reply(update, render(req.lang, "feedback_unknown_service", name=name,
                               known=list(req.index.kb.services)))


@with_request
@admin_only
async def on_report(update: Update, context: Context, req: Request) -> None:
    """Response count, completion and drop-off, averages, NPS, distributions, comments, chart."""
    found = _services(req, context)
    if found is None:
        await _unknown(update, req, context.args[0])
        return
    services, survey = found
    await close_abandoned(req.session)
    await req.session.commit()
    scope = (localized(services[0].name, req.lang) if context.args
             else label(req.lang, "fb_all_services"))
    if survey is None or not services:
        await reply(update, render(req.lang, "feedback_report_empty", scope=scope))
        return
    report = await feedback_report(req.session, survey, [s.id for s in services])
    if not report.started and not report.responses:
        await reply(update, render(req.lang, "feedback_report_empty", scope=scope))
        return
    questions = [{"text": localized(q.text, req.lang), "stats": s,
                  "distribution": _distribution(q, s.distribution, req.lang)}
                 for q, s in zip(survey.questions, report.questions, strict=True)]
    await reply(update, render(req.lang, "feedback_report", report=report, scope=scope,
                               questions=questions))
    series = []
    for service in services:
        per = await feedback_report(req.session, survey, [service.id])
        ratings = next((q.distribution for q in per.questions if q.type == "rating"), {})
        nps = next((q.distribution for q in per.questions if q.type == "nps"), {})
        if per.responses and (ratings or nps):
            series.append(ChartSeries(localized(service.name, req.lang), ratings, nps))
    if series:
        png = await asyncio.to_thread(distribution_chart, series,
                                      label(req.lang, "fb_chart_rating"),
                                      label(req.lang, "fb_chart_nps"))
        await release_db()
        await update.effective_chat.send_photo(InputFile(png, filename="feedback.png"))


def _distribution(question, counts: dict[str, int], lang: str) -> str:  # type: ignore[no-untyped-def]
    if not counts or question.type == "text":
        return ""
    names = {o.id: localized(o.text, lang) for o in question.options}
    if question.type == "yesno":
        names = {"yes": label(lang, "fb_yes"), "no": label(lang, "fb_no")}
    return " · ".join(f"{names.get(k, k)}: {v}" for k, v in counts.items())


@with_request
@admin_only
async def on_export(update: Update, context: Context, req: Request) -> None:
    """The responses as a CSV (default) or XLSX document."""
    kb = req.index.kb
    args = list(context.args or [])
    fmt = "xlsx" if "xlsx" in [a.lower() for a in args] else "csv"
    names = [a for a in args if a.lower() not in ("csv", "xlsx")]
    if names and names[0] not in kb.services:
        await _unknown(update, req, names[0])
        return
    table = await export.export_table(req.session, dict(kb.surveys), dict(kb.services),
                                      names[0] if names else None)
    data = export.to_xlsx(table) if fmt == "xlsx" else export.to_csv(table)
    filename = f"feedback-{names[0] if names else 'all'}.{fmt}"
    await release_db()
    await update.effective_chat.send_document(
        InputFile(data, filename=filename),
        caption=label(req.lang, "fb_export_caption", count=len(table.rows)),
    )


HANDLERS = [
    CommandHandler("report", on_report),
    CommandHandler("export", on_export),
]
