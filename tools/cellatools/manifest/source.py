"""Line numbers for TOML entries, which tomllib does not give.

A second, forgiving pass over the text (which tomllib has already
accepted) records the line of every table header, key and array element
under the same path tomllib's result uses: ("cell", 2, "map", 0, "vaddr").
"""

import re

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
SCALAR_END = re.compile(r"[,\]}\n#]")


class SourceMap:
    def __init__(self, text):
        self.text = text
        self.pos = 0
        self.counted_to = 0      # the line of counted_to is counted_lines: the scan only moves forward,
        self.counted_lines = 1   # so each newline is counted once and the whole scan is linear
        self.lines = {}
        self.array_counts = {}   # concrete path of an array of tables -> tables seen so far
        self._scan()

    def line(self, path):
        """The line of path, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    # -- the scanner ------------------------------------------------------

    def _line_now(self):
        self.counted_lines += self.text.count("\n", self.counted_to, self.pos)
        self.counted_to = self.pos
        return self.counted_lines

    def _peek(self, n=1):
        return self.text[self.pos:self.pos + n]

    def _skip_blank(self, newlines=True):
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if c in " \t\r" or (newlines and c == "\n"):
                self.pos += 1
            elif c == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def _scan(self):
        table = ()
        while True:
            self._skip_blank()
            if self.pos >= len(self.text):
                return
            line = self._line_now()
            if self._peek(2) == "[[":
                self.pos += 2
                table = self._array_header(self._key())
                self.pos = self.text.index("]]", self.pos) + 2
                self.lines[table] = line
            elif self._peek() == "[":
                self.pos += 1
                table = self._concrete(self._key())
                self.pos = self.text.index("]", self.pos) + 1
                self.lines.setdefault(table, line)
            else:
                self._key_value(table)

    def _concrete(self, parts):
        """Inserts the current index after every part that names an array of tables."""
        path = ()
        for part in parts:
            path += (part,)
            if path in self.array_counts:
                path += (self.array_counts[path] - 1,)
        return path

    def _array_header(self, parts):
        parent = self._concrete(parts[:-1]) + (parts[-1],)
        self.lines.setdefault(parent, self._line_now())      # the array as a whole: its first table
        self.array_counts[parent] = self.array_counts.get(parent, 0) + 1
        return parent + (self.array_counts[parent] - 1,)

    def _key(self):
        parts = []
        while True:
            self._skip_blank(newlines=False)
            c = self._peek()
            if c in "\"'":
                parts.append(self._string())
            else:
                match = BARE_KEY.match(self.text, self.pos)
                if not match:
                    return parts
                parts.append(match.group())
                self.pos = match.end()
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return parts
            self.pos += 1

    def _key_value(self, table):
        line = self._line_now()
        path = table + tuple(self._key())
        self.lines.setdefault(path, line)
        self._skip_blank(newlines=False)
        if self._peek() != "=":      # not TOML tomllib accepted; stop rather than guess
            self.pos = len(self.text)
            return
        self.pos += 1
        self._skip_blank(newlines=False)
        self._value(path)

    def _value(self, path):
        c = self._peek()
        if c in "\"'":
            self._string()
        elif c == "[":
            self._array(path)
        elif c == "{":
            self._inline_table(path)
        else:
            match = SCALAR_END.search(self.text, self.pos)
            self.pos = match.start() if match else len(self.text)

    def _array(self, path):
        self.pos += 1
        index = 0
        while True:
            self._skip_blank()
            if self._peek() in ("]", ""):
                self.pos += 1
                return
            self.lines.setdefault(path + (index,), self._line_now())
            self._value(path + (index,))
            self._skip_blank()
            if self._peek() == ",":
                self.pos += 1
            index += 1

    def _inline_table(self, path):
        self.pos += 1
        while True:
            self._skip_blank()
            if self._peek() in ("}", ""):
                self.pos += 1
                return
            if self._peek() == ",":
                self.pos += 1
                continue
            self._key_value(path)

    def _string(self):
        """Skips a string of any of TOML's four kinds and returns its raw contents."""
        quote = self._peek()
        if self._peek(3) == quote * 3:
            end = self.text.index(quote * 3, self.pos + 3)
            while self.text[end + 3:end + 4] == quote:   # """a"""" ends one quote later
                end += 1
            raw = self.text[self.pos + 3:end]
            self.pos = end + 3
            return raw
        end = self.pos + 1
        while self.text[end] != quote:
            end += 2 if quote == '"' and self.text[end] == "\\" else 1
        raw = self.text[self.pos + 1:end]
        self.pos = end + 1
        return raw


def too_deep(text, limit):
    """The line where arrays and inline tables first nest more than limit deep, or None.

    tomllib parses nested values recursively, so a deep enough document exhausts
    Python's stack; this linear scan refuses it first. It skips comments and the
    four kinds of string as TOML does, and stops at text TOML would refuse (an
    unterminated string): tomllib then reports that before it could go deep.
    """
    depth, line, pos, end = 0, 1, 0, len(text)
    while pos < end:
        c = text[pos]
        if c == "\n":
            line += 1
        elif c == "#":
            pos = text.find("\n", pos)
            if pos < 0:
                return None
            continue
        elif c in "\"'":
            close = _string_end(text, pos)
            if close is None:
                return None
            line += text.count("\n", pos, close)
            pos = close
            continue
        elif c in "[{":
            depth += 1
            if depth > limit:
                return line
        elif c in "]}":
            depth = max(0, depth - 1)
        pos += 1
    return None


def _string_end(text, pos):
    """The position just past the string starting at pos, or None if it never ends."""
    quote = text[pos]
    if text.startswith(quote * 3, pos):
        close = text.find(quote * 3, pos + 3)
        while quote == '"' and close >= 0 and _escaped(text, close):
            close = text.find(quote * 3, close + 1)
        if close < 0:
            return None
        after = close + 3
        for _ in range(2):               # up to two more quotes belong to the string: """a""""
            if after < len(text) and text[after] == quote:
                after += 1
        return after
    i = pos + 1
    while i < len(text) and text[i] != "\n":
        if text[i] == quote:
            return i + 1
        i += 2 if quote == '"' and text[i] == "\\" else 1
    return None


def _escaped(text, at):
    """Is the character at `at` preceded by an odd number of backslashes?"""
    n = 0
    while at - n - 1 >= 0 and text[at - n - 1] == "\\":
        n += 1
    return n % 2 == 1
