"""The located YAML reader: the same values and line numbers whichever parser does the work."""

import pytest
import yaml

from bot.knowledge import yamlpos
from bot.knowledge.yamlpos import load_located

DOCUMENT = """title: Stress test
questions:
  - What is an S3 stress test?
  - How long does it take?
sources:
  - title: Report
    url: https://example.org/r
"""


@pytest.fixture(params=["c", "python"])
def loader_class(request, monkeypatch):
    if request.param == "c":
        if not yaml.__with_libyaml__:
            pytest.skip("PyYAML was built without libyaml")
        monkeypatch.setattr(yamlpos, "_Loader", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(yamlpos, "_Loader", yaml.SafeLoader)
    return request.param


def test_values_and_lines_match_the_file(loader_class):
    located, error = load_located(DOCUMENT, first_line=2)
    assert error is None
    assert located.get("title") == "Stress test"
    assert located.get("questions") == ["What is an S3 stress test?", "How long does it take?"]
    assert located.line("title") == 2
    assert located.item_line("questions", 1) == 5
    assert located.line("sources") == 6
    assert located.line("missing") is None


def test_broken_yaml_is_reported_on_a_line_of_the_text(loader_class):
    located, error = load_located("title: x\nquestions: [a, b", first_line=2)
    assert located is None
    line, message = error
    assert line == 3
    assert message


def test_empty_and_scalar_documents_are_not_documents(loader_class):
    assert load_located("") == (None, None)
    assert load_located("just words") == (None, None)


def test_what_loads_does_not_depend_on_the_parser(loader_class):
    # libyaml alone would accept the tab and read the inner byte-order mark as indentation.
    located, error = load_located("title:\tStress test\n", first_line=2)
    assert located is None and error[0] == 2 and "cannot start any token" in error[1]
    located, error = load_located("a:\n\ufeffb: 2\n")
    assert error is None and located.value == {"a": None, "\ufeffb": 2}
    located, error = load_located("\ufefftitle: x\nquestions: [a]\n")  # a leading one is fine
    assert error is None and located.value == {"title": "x", "questions": ["a"]}
    assert located.line("questions") == 2


def test_a_lone_surrogate_is_reported_not_raised(loader_class):
    located, error = load_located("title: a\ud800b\n")
    assert located is None and error is not None
