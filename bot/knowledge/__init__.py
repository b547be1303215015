"""The curated knowledge folder: format, loader and immutable objects."""

from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import DEFAULT_LANG, Entry, EntryText, KnowledgeBase, Problem, Source

__all__ = [
    "DEFAULT_LANG",
    "Entry",
    "EntryText",
    "KnowledgeBase",
    "Problem",
    "Source",
    "load_knowledge",
]
