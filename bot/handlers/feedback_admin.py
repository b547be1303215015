"""Staff: /report [service] (figures and a chart) and /export [service] [csv|xlsx]."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.ext import CommandHandler

from bot.handlers.common import (
    Context,
    Request,
    admin_only,
    private_only,
    release_db,
    reply,
    with_request,
)
from bot.knowledge.surveys import Service, Survey, localized
from bot.rendering import label, render
from bot.services import feedback_export as export
from bot.services.feedback_chart import ChartSeries, distribution_charts
from bot.services.feedback_report import feedback_report
from bot.services.feedback_responses import close_abandoned


def _service_arg(context: Context) -> str | None:
    """The service a /report is about: its first argument; None (every service) without one.

    "csv" and "xlsx" name a format, not a service (people try them after seeing /export).
    """
    arg = context.args[0] if context.args else None
    return None if arg is None or arg.lower() in ("csv", "xlsx") else arg


def _groups(req: Request, service_id: str | None
            ) -> list[tuple[Survey, list[Service]]] | None:
    """(survey, services) groups a report is about: one service, or every service.

    None when `service_id` names no known service.
    """
    kb = req.index.kb
    if service_id is not None:
        service = kb.services.get(service_id)
        survey = kb.survey_for(service) if service else None
        return None if service is None else ([(survey, [service])] if survey else [])
    groups: dict[str, tuple[Survey, list[Service]]] = {}
    for service in kb.services.values():
        survey = kb.survey_for(service)
        if survey is not None:
            groups.setdefault(survey.id, (survey, []))[1].append(service)
    return list(groups.values())


async def _unknown(update: Update, req: Request, name: str) -> None:
    await reply(update, render(req.lang, "feedback_unknown_service", name=name,
                               known=list(req.index.kb.services)))


@with_request
@admin_only
async def on_report(update: Update, context: Context, req: Request) -> None:
    """Response count, completion and drop-off, averages, NPS, distributions, comments, chart.

    Without an argument: one report per survey, over all the services that use it. Every
    figure is read first; the transaction ends before the messages and the chart.
    """
    if not await private_only(update, context, req):  # organisation names, comments
        return
    service_id = _service_arg(context)
    groups = _groups(req, service_id)
    if groups is None:
        await _unknown(update, req, service_id or "")
        return
    await close_abandoned(req.session)
    await req.session.commit()
    scope = (localized(req.index.kb.services[service_id].name, req.lang) if service_id
             else label(req.lang, "fb_all_services"))
    texts: list[str] = []
    series: list[ChartSeries] = []
    for survey, services in groups:
        title = f"{scope} · {localized(survey.title, req.lang)}" if len(groups) > 1 else scope
        report = await feedback_report(req.session, survey, [s.id for s in services])
        if not report.started and not report.responses:
            continue
        questions = [{"text": localized(q.text, req.lang), "stats": s,
                      "distribution": _distribution(q, s.distribution, req.lang)}
                     for q, s in zip(survey.questions, report.questions, strict=True)]
        texts.append(render(req.lang, "feedback_report", report=report, scope=title,
                            questions=questions))
        series += await _chart_series(req, survey, services)
    await release_db()
    if not texts:
        await reply(update, render(req.lang, "feedback_report_empty", scope=scope))
        return
    for text in texts:
        await reply(update, text)
    if series:
        images = await asyncio.to_thread(distribution_charts, series,
                                         label(req.lang, "fb_chart_rating"),
                                         label(req.lang, "fb_chart_nps"))
        for i, png in enumerate(images, 1):
            name = "feedback.png" if len(images) == 1 else f"feedback-{i}.png"
            await update.effective_chat.send_photo(InputFile(png, filename=name))


async def _chart_series(req: Request, survey: Survey, services: list[Service]
                        ) -> list[ChartSeries]:
    series = []
    for service in services:
        per = await feedback_report(req.session, survey, [service.id])
        ratings = next((q.distribution for q in per.questions if q.type == "rating"), {})
        nps = next((q.distribution for q in per.questions if q.type == "nps"), {})
        if per.responses and (ratings or nps):
            series.append(ChartSeries(localized(service.name, req.lang), ratings, nps))
    return series


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
    """The responses as a CSV (default) or XLSX document.

    The file is built off the event loop, after the transaction has ended.
    """
    if not await private_only(update, context, req):  # organisation names, comments
        return
    kb = req.index.kb
    args = list(context.args or [])
    fmt = "xlsx" if "xlsx" in [a.lower() for a in args] else "csv"
    names = [a for a in args if a.lower() not in ("csv", "xlsx")]
    if names and names[0] not in kb.services:
        await _unknown(update, req, names[0])
        return
    table = await export.export_table(req.session, dict(kb.surveys), dict(kb.services),
                                      names[0] if names else None)
    await release_db()
    data = await asyncio.to_thread(export.to_xlsx if fmt == "xlsx" else export.to_csv, table)
    filename = f"feedback-{names[0] if names else 'all'}.{fmt}"
    await update.effective_chat.send_document(
        InputFile(data, filename=filename),
        caption=label(req.lang, "fb_export_caption", count=len(table.rows)),
    )


HANDLERS = [
    CommandHandler("report", on_report),
    CommandHandler("export", on_export),
]
