"""Unreadable knowledge files are listed as errors with their path; they do not crash loading."""

from __future__ import annotations

import shutil

import pytest

from bot.knowledge import load_knowledge
from bot.runtime import KnowledgeError, build_index
from tests.conftest import FIXTURE_KNOWLEDGE, make_settings


@pytest.fixture
def kb_dir(tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE_KNOWLEDGE, folder)
    return folder


def _errors(folder) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.format(folder) for p in load_knowledge(folder).errors]


def test_a_folder_named_like_an_entry_is_an_error(kb_dir):
    (kb_dir / "entries" / "oops.md").mkdir()
    assert any("oops.md" in e and "cannot be read" in e for e in _errors(kb_dir))


def test_a_dangling_symlink_entry_is_an_error(kb_dir):
    (kb_dir / "entries" / "gone.md").symlink_to(kb_dir / "nowhere.md")
    assert any("gone.md" in e and "cannot be read" in e for e in _errors(kb_dir))


def test_synonyms_that_are_not_utf8_are_an_error(kb_dir):
    (kb_dir / "synonyms.yaml").write_bytes(b"- [caf\xe9, coffee]\n")
    assert any("synonyms.yaml" in e and "UTF-8" in e for e in _errors(kb_dir))


def test_unreadable_survey_and_services_files_are_errors(kb_dir):
    (kb_dir / "surveys").mkdir(exist_ok=True)
    (kb_dir / "surveys" / "broken.yaml").write_bytes(b"title: \xff\xfe\n")
    (kb_dir / "services.yaml").unlink(missing_ok=True)
    (kb_dir / "services.yaml").mkdir()
    errors = _errors(kb_dir)
    assert any("broken.yaml" in e and "UTF-8" in e for e in errors)
    assert any("services.yaml" in e and "cannot be read" in e for e in errors)


def test_an_unreadable_file_keeps_the_index_from_being_built(kb_dir, tmp_path):
    (kb_dir / "entries" / "oops.md").mkdir()
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", knowledge_dir=kb_dir)
    with pytest.raises(KnowledgeError, match=r"oops\.md"):
        build_index(settings)


def test_a_knowledge_folder_without_entries_is_refused(tmp_path):
    (tmp_path / "empty" / "entries").mkdir(parents=True)
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
                             knowledge_dir=tmp_path / "empty")
    with pytest.raises(KnowledgeError, match="no entries"):
        build_index(settings)
