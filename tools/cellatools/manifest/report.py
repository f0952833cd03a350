"""Problems found in a manifest, and how they are shown: FILE:LINE: ENTRY: message.

Every check adds to one Report instead of raising, so a single run lists
every problem. An Entry is a place in the TOML document: its path finds
the source line, its label names it for people ("cell[ping].map[uart]").
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    path: tuple = ()
    label: str = "manifest"

    def key(self, key):
        """The entry of one key of this table."""
        label = key if self.label == "manifest" else f"{self.label}.{key}"
        return Entry(self.path + (key,), label)

    def item(self, key, index, name=None):
        """The entry of one table in an array of tables, named when its name is known."""
        label = f"{key}[{name}]" if name else f"{key} #{index + 1}"
        if self.label != "manifest":
            label = f"{self.label}.{label}"
        return Entry(self.path + (key, index), label)


@dataclass
class Problem:
    entry: Entry
    message: str
    details: list = field(default_factory=list)   # extra lines, e.g. a witness path


class Report:
    """Collects problems; `source` (a SourceMap) turns entries into line numbers."""

    def __init__(self, filename, source=None):
        self.filename = filename
        self.source = source
        self.problems = []

    def add(self, entry, message, details=()):
        self.problems.append(Problem(entry, message, list(details)))

    def __bool__(self):
        return bool(self.problems)

    def __len__(self):
        return len(self.problems)

    def line_of(self, entry):
        return self.source.line(entry.path) if self.source else None

    def where(self, entry):
        """FILE:LINE, or FILE alone when the entry has no line."""
        line = self.line_of(entry)
        return f"{self.filename}:{line}" if line else self.filename

    def lines(self):
        """Every problem, in the order of the manifest's lines (those without a line first)."""
        out = []
        for p in sorted(self.problems, key=lambda p: self.line_of(p.entry) or 0):
            out.append(f"{self.where(p.entry)}: {p.entry.label}: {p.message}")
            out.extend(f"    {d}" for d in p.details)
        return out
