"""Load a knowledge folder (see shared knowledge-format.md) into immutable objects.

Every problem is collected with its file and line instead of stopping at the first one, so
`s3bot kb check` can show curators everything to fix in one run. Entries with errors are left
out of the knowledge base; the rest still load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.knowledge.markdown import to_telegram_html
from bot.knowledge.model import (
    DEFAULT_LANG,
    Entry,
    EntryText,
    KnowledgeBase,
    Problem,
    Source,
    freeze,
)
from bot.knowledge.surveys import load_services, load_surveys, read_text
from bot.knowledge.yamlpos import LocatedYaml, load_located

MAX_BODY_CHARS = 3500
KNOWN_KEYS = {"id", "title", "questions", "keywords", "tags", "sources", "related", "updated"}
_ID_RE = re.compile(r"^[a-z0-9-]+$")
# Ids and tags travel in button data, which Telegram caps at 64 bytes ("dym:<question>:<id>").
MAX_ID_CHARS = 40
_FILE_RE = re.compile(r"^(?P<stem>[^.]+)(?:\.(?P<lang>[a-z]{2}))?\.md$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)(.*)\Z", re.S)


@dataclass
class _Raw:
    """One parsed file before cross-file checks."""

    path: Path
    id: str
    lang: str
    meta: LocatedYaml
    body: str
    body_line: int
    text: EntryText | None = None
    fields: dict[str, Any] = field(default_factory=dict)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(path, line, message, "error"))

    def warning(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(path, line, message, "warning"))


def load_knowledge(root: Path | str) -> KnowledgeBase:
    root = Path(root)
    out = _Collector()
    entries_dir = root / "entries"
    if not entries_dir.is_dir():
        out.error(entries_dir, None, "folder is missing: entries go in entries/<id>.md")
        return KnowledgeBase(root=root, entries=freeze({}), problems=tuple(out.problems))

    raws = [r for p in sorted(entries_dir.glob("*.md")) if (r := _parse_file(p, out))]
    originals: dict[str, _Raw] = {}
    # A file named after its id keeps the id; any other file claiming it is the duplicate.
    named_first = sorted(raws, key=lambda r: (r.path.name.split(".")[0] != r.id, r.path.name))
    for raw in (r for r in named_first if r.lang == DEFAULT_LANG):
        if raw.id in originals:
            out.error(raw.path, raw.meta.line("id"),
                      f"duplicate id {raw.id!r} (also in {originals[raw.id].path.name})")
            continue
        originals[raw.id] = raw
    translations: dict[str, dict[str, _Raw]] = {}
    for raw in (r for r in raws if r.lang != DEFAULT_LANG):
        if raw.id not in originals:
            out.error(raw.path, raw.meta.line("id"),
                      f"translation of {raw.id!r} has no English original {raw.id}.md")
            continue
        if raw.lang in translations.setdefault(raw.id, {}):
            out.error(raw.path, None, f"second {raw.lang} translation of {raw.id!r}")
            continue
        translations[raw.id][raw.lang] = raw

    entries: dict[str, Entry] = {}
    for entry_id, raw in originals.items():
        if raw.text is None:
            continue
        texts = {DEFAULT_LANG: raw.text}
        for lang, tr in sorted(translations.get(entry_id, {}).items()):
            if tr.text is not None:
                texts[lang] = tr.text
        entries[entry_id] = Entry(
            id=entry_id,
            tags=raw.fields["tags"],
            sources=raw.fields["sources"],
            related=raw.fields["related"],
            updated=raw.fields["updated"],
            texts=freeze(texts),
            path=raw.path,
        )
    _check_related(originals, entries, out)
    synonyms = _load_synonyms(root / "synonyms.yaml", out)
    surveys = load_surveys(root / "surveys", out.problems)
    services = load_services(root / "services.yaml", out.problems)
    for service in services.values():
        if service.survey and service.survey not in surveys:
            out.error(root / "services.yaml", None,
                      f"service {service.id!r} names survey {service.survey!r}, which does not exist")
    return KnowledgeBase(
        root=root, entries=freeze(entries), synonyms=synonyms, problems=tuple(out.problems),
        surveys=freeze(surveys), services=freeze(services),
    )


def _parse_file(path: Path, out: _Collector) -> _Raw | None:
    match = _FILE_RE.match(path.name)
    if not match:
        out.error(path, None, "file name must be <id>.md or <id>.<lang>.md")
        return None
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        out.error(path, None, f"not UTF-8 text ({exc.reason})")
        return None
    except OSError as exc:  # a folder named *.md, a dangling symlink, no permission
        out.error(path, None, f"cannot be read: {exc.strerror or exc}")
        return None
    content = content.replace("\r\n", "\n").lstrip("\ufeff")
    fm = _FRONT_MATTER.match(content)
    if not fm:
        out.error(path, 1, "front matter missing: the file must start with --- and close with ---")
        return None
    meta, yaml_error = load_located(fm.group(1), first_line=2)
    if yaml_error:
        out.error(path, yaml_error[0], f"front matter is not valid YAML: {yaml_error[1]}")
        return None
    if meta is None:
        out.error(path, 2, "front matter must be a mapping of keys")
        return None
    lang = match.group("lang") or DEFAULT_LANG
    stem = match.group("stem")
    entry_id = meta.get("id", stem)
    if not isinstance(entry_id, str) or not _ID_RE.match(entry_id):
        out.error(path, meta.line("id"), f"id {entry_id!r} must match [a-z0-9-]+")
        return None
    if len(entry_id) > MAX_ID_CHARS:
        out.error(path, meta.line("id"), f"id {entry_id!r} is longer than {MAX_ID_CHARS} characters")
        return None
    body_line = fm.group(1).count("\n") + 4
    raw = _Raw(path, entry_id, lang, meta, fm.group(2).strip(), body_line)
    _validate(raw, out)
    return raw


def _validate(raw: _Raw, out: _Collector) -> None:
    meta, path = raw.meta, raw.path
    errors_before = len(out.problems)
    for key in meta:
        if key not in KNOWN_KEYS:
            out.warning(path, meta.line(key), f"unknown key {key!r} is ignored")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        out.error(path, meta.line("title"), "title is missing or empty")
    questions = _string_list(raw, "questions", out, required=True)
    keywords = _string_list(raw, "keywords", out)
    tags = _string_list(raw, "tags", out)
    for i, tag in enumerate(tags):
        if not _ID_RE.match(tag):
            out.error(path, meta.item_line("tags", i), f"tag {tag!r} must match [a-z0-9-]+")
        elif len(tag) > MAX_ID_CHARS:
            out.error(path, meta.item_line("tags", i),
                      f"tag {tag!r} is longer than {MAX_ID_CHARS} characters")
    related = _string_list(raw, "related", out)
    sources = _sources(raw, out)
    updated = meta.get("updated")
    if updated is not None and not isinstance(updated, date):
        out.error(path, meta.line("updated"), "updated must be a date like 2026-11-20")
        updated = None
    if not raw.body:
        out.error(path, raw.body_line, "body is empty")
    elif len(raw.body) > MAX_BODY_CHARS:
        out.error(path, raw.body_line,
                  f"body has {len(raw.body)} characters; the limit is {MAX_BODY_CHARS}")
    for match in re.finditer(r"\]\(([^)\s]*)\)", raw.body):
        if not re.match(r"https?://", match.group(1)):
            line = raw.body_line + raw.body[: match.start()].count("\n")
            out.error(path, line, f"link {match.group(1)!r} is not an http(s) URL")
    if raw.lang != DEFAULT_LANG:
        for key in ("tags", "related"):
            if key in meta:
                out.warning(path, meta.line(key),
                            f"{key} in a translation is ignored; the English entry's are used")
    if any(p.level == "error" for p in out.problems[errors_before:]):
        return
    raw.text = EntryText(
        lang=raw.lang,
        title=title.strip(),
        questions=tuple(questions),
        keywords=tuple(keywords),
        body=raw.body,
        body_html=to_telegram_html(raw.body),
        sources=tuple(sources) if raw.lang != DEFAULT_LANG else (),
    )
    raw.fields = {"tags": tuple(tags), "related": tuple(related),
                  "sources": tuple(sources), "updated": updated}


def _string_list(raw: _Raw, key: str, out: _Collector, required: bool = False) -> list[str]:
    value = raw.meta.get(key)
    if value is None:
        if required:
            out.error(raw.path, None, f"{key} is missing: list at least one")
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or (required and not value):
        out.error(raw.path, raw.meta.line(key), f"{key} must be a non-empty list")
        return []
    items: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str | int | float) or not str(item).strip():
            out.error(raw.path, raw.meta.item_line(key, i), f"{key} item {i + 1} is empty or not text")
            continue
        items.append(str(item).strip())
    return items


def _sources(raw: _Raw, out: _Collector) -> list[Source]:
    value = raw.meta.get("sources")
    if value is None:
        return []
    if not isinstance(value, list):
        out.error(raw.path, raw.meta.line("sources"), "sources must be a list of {title, url}")
        return []
    sources = []
    for i, item in enumerate(value):
        line = raw.meta.item_line("sources", i)
        if isinstance(item, str):
            item = {"title": item}
        if not isinstance(item, dict) or not str(item.get("title") or "").strip():
            out.error(raw.path, line, f"source {i + 1} needs a title")
            continue
        url = item.get("url")
        if url is not None and not re.match(r"^https?://\S+$", str(url)):
            out.error(raw.path, line, f"source URL {url!r} is not an http(s) URL")
            continue
        sources.append(Source(str(item["title"]).strip(), str(url) if url else None))
    return sources


def _check_related(originals: dict[str, _Raw], entries: dict[str, Entry], out: _Collector) -> None:
    for entry in entries.values():
        raw = originals[entry.id]
        for i, rel in enumerate(entry.related):
            if rel == entry.id:
                out.warning(raw.path, raw.meta.item_line("related", i), "entry relates to itself")
            elif rel not in originals:
                out.error(raw.path, raw.meta.item_line("related", i),
                          f"related id {rel!r} does not exist")


def _load_synonyms(path: Path, out: _Collector) -> tuple[tuple[str, ...], ...]:
    if not path.exists():
        return ()
    text = read_text(path, out.problems)
    if text is None:
        return ()
    data, yaml_error = load_located(text, first_line=1)
    if yaml_error:
        out.error(path, yaml_error[0], f"not valid YAML: {yaml_error[1]}")
        return ()
    groups = data.value if data is not None else None
    if isinstance(groups, dict):
        groups = groups.get("groups")
    if not isinstance(groups, list):
        out.error(path, 1, "must be a list of groups, each a list of equivalent terms")
        return ()
    seen: dict[str, int] = {}
    result = []
    for i, group in enumerate(groups):
        line = data.root_item_line(i) if data is not None else None
        if not isinstance(group, list) or len(group) < 2:
            out.error(path, line, "a synonym group needs at least two terms")
            continue
        terms = tuple(str(t).strip().lower() for t in group if str(t).strip())
        for term in terms:
            if term in seen:
                out.warning(path, line, f"term {term!r} is also in the group on line {seen[term]}")
            seen.setdefault(term, line or 0)
        result.append(terms)
    return tuple(result)
