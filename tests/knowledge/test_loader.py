"""The knowledge loader: objects, and every problem reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from tests.conftest import FIXTURE_KNOWLEDGE


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / "entries" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """---
id: good
title: Good entry
questions:
  - What is good?
tags: [basics]
sources:
  - title: A source
    url: https://example.org/a
---
Body with a [link](https://example.org).
"""


def problems(folder: Path) -> list[str]:
    return [p.format(folder) for p in load_knowledge(folder).problems]


def test_fixture_folder_loads_into_immutable_objects():
    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    assert kb.problems == ()
    edp = kb.entries["edp"]
    assert edp.languages == ("en", "it")
    assert edp.text("it").title.startswith("Il processo")
    assert edp.text("de").lang == "en"  # no German translation: English
    assert edp.tags == ("s3-basics", "governance")
    assert edp.sources[0].url == "https://doi.org/10.2776/65746"
    assert str(edp.updated) == "2026-11-20"
    with pytest.raises(AttributeError):
        edp.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        kb.entries["x"] = edp  # type: ignore[index]
    assert kb.synonyms[0][:2] == ("s3", "ris3")
    assert "clusters" in kb.tags
    assert [e.id for e in kb.by_tag("cluster-excellence")] == [
        "cluster-label-gold", "cluster-label-silver"]


def test_every_rule_is_reported_with_file_and_line(tmp_path):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "no-title.md", "---\nquestions:\n  - Why?\n---\nBody\n")
    write(tmp_path, "bad-yaml.md", "---\ntitle: x\nquestions: [a, b\n---\nBody\n")
    write(tmp_path, "no-front.md", "Just text\n")
    write(tmp_path, "empty-body.md", "---\ntitle: T\nquestions: [q]\n---\n\n")
    write(tmp_path, "long.md", "---\ntitle: T\nquestions: [q]\n---\n" + "x" * 3501 + "\n")
    write(tmp_path, "bad-url.md",
          "---\ntitle: T\nquestions: [q]\nsources:\n  - title: S\n    url: ftp://x\n---\nBody\n")
    write(tmp_path, "bad-link.md", "---\ntitle: T\nquestions: [q]\n---\nSee\n[x](javascript:alert)\n")
    write(tmp_path, "rel.md", "---\ntitle: T\nquestions: [q]\nrelated:\n  - good\n  - missing\n---\nB\n")
    write(tmp_path, "orphan.it.md", "---\ntitle: T\nquestions: [q]\n---\nB\n")
    write(tmp_path, "extra.md", "---\ntitle: T\nquestions: [q]\ncolour: red\n---\nB\n")
    write(tmp_path, "dup.md", "---\nid: good\ntitle: T\nquestions: [q]\n---\nB\n")
    write(tmp_path, "Bad Name.md", GOOD.replace("id: good\n", ""))
    write(tmp_path, "a.b.c.md", GOOD)
    found = problems(tmp_path)
    expected = [
        "entries/no-title.md: error: title is missing or empty",
        "entries/bad-yaml.md:3: error: front matter is not valid YAML",
        "entries/no-front.md:1: error: front matter missing",
        "entries/empty-body.md:5: error: body is empty",
        "entries/long.md:5: error: body has 3501 characters; the limit is 3500",
        "entries/bad-url.md:5: error: source URL 'ftp://x' is not an http(s) URL",
        "entries/bad-link.md:6: error: link 'javascript:alert' is not an http(s) URL",
        "entries/rel.md:6: error: related id 'missing' does not exist",
        "entries/orphan.it.md: error: translation of 'orphan' has no English original",
        "entries/extra.md:4: warning: unknown key 'colour' is ignored",
        "entries/dup.md:2: error: duplicate id 'good'",
        "entries/Bad Name.md: error: id 'Bad Name' must match [a-z0-9-]+",
        "entries/a.b.c.md: error: file name must be <id>.md or <id>.<lang>.md",
    ]
    for message in expected:
        assert any(p.startswith(message) for p in found), (message, found)
    assert len(found) == len(expected), found
    kb = load_knowledge(tmp_path)
    assert set(kb.entries) == {"good", "extra", "rel"}  # rel loads; its bad link is an error


def test_ids_and_tags_fit_telegram_button_data(tmp_path):
    # "dym:<question id>:<entry id>" must stay within Telegram's 64 bytes of button data.
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "a" * 41 + ".md", GOOD.replace("id: good\n", ""))
    write(tmp_path, "tagged.md", "---\ntags: [" + "t" * 41 + ", fine]\ntitle: T\nquestions: [q]\n---\nB\n")
    found = problems(tmp_path)
    assert found == [
        f"entries/{'a' * 41}.md: error: id '{'a' * 41}' is longer than 40 characters",
        f"entries/tagged.md:2: error: tag '{'t' * 41}' is longer than 40 characters",
    ]
    assert set(load_knowledge(tmp_path).entries) == {"good"}  # (an entry with errors is left out)


def test_translation_takes_tags_sources_related_from_original(tmp_path):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "good.de.md",
          "---\ntitle: Guter Eintrag\nquestions:\n  - Was ist gut?\ntags: [x]\n---\nText.\n")
    kb = load_knowledge(tmp_path)
    entry = kb.entries["good"]
    assert entry.text("de").title == "Guter Eintrag"
    assert entry.tags == ("basics",)
    assert entry.sources_in("de") == entry.sources_in("en") == entry.sources
    assert [p.format(tmp_path) for p in kb.problems] == [
        "entries/good.de.md:5: warning: tags in a translation is ignored; the English entry's are used"
    ]


def test_synonyms_file_problems(tmp_path):
    write(tmp_path, "good.md", GOOD)
    (tmp_path / "synonyms.yaml").write_text("- [a, b]\n- [c]\n- [b, d]\n", encoding="utf-8")
    assert problems(tmp_path) == [
        "synonyms.yaml:2: error: a synonym group needs at least two terms",
        "synonyms.yaml:3: warning: term 'b' is also in the group on line 1",
    ]


def test_missing_entries_folder(tmp_path):
    assert problems(tmp_path)[0].endswith("folder is missing: entries go in entries/<id>.md")


def test_bundled_knowledge_has_no_problems():
    from bot.config import BUNDLED_KNOWLEDGE

    kb = load_knowledge(BUNDLED_KNOWLEDGE)
    assert [p.format() for p in kb.problems] == []
    assert len(kb.entries) >= 25


def test_translation_may_have_its_own_sources(tmp_path):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "good.it.md", "---\ntitle: Buono\nquestions: [Cosa]\nsources:\n"
          "  - title: Fonte italiana\n    url: https://example.org/it\n---\nTesto.\n")
    entry = load_knowledge(tmp_path).entries["good"]
    assert [s.title for s in entry.sources_in("it")] == ["Fonte italiana"]
    assert [s.title for s in entry.sources_in("en")] == ["A source"]
