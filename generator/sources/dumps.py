"""Raw copies of paper listing pages.

Three shapes occur: (a) listing pages with site boilerplate, date lines and blank lines;
(b) title and abstract on alternating lines; (c) one abstract per line. Once boilerplate is
gone, all three are a sequence of title lines and abstract lines, so one parser serves them:
it scores every line for how much it reads like prose, then finds the cheapest split of the
whole file into (title, abstract) pairs and lone abstracts. The decision rests on the file's
structure, not on one length threshold: a 180-character title next to 1,500-character
abstracts is still a title, and a 150-character abstract in an abstract-only file is
still an abstract.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from generator.errors import InputError
from generator.sources.records import Record

BOILERPLATE = {
    "new",
    "get trending papers in your email inbox once a day!",
    "get trending papers in your email inbox!",
    "subscribe",
    "byak and the research community",
}
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
DATE_LINE = re.compile(rf"^(?:{_MONTHS})[a-z]*\.? \d{{1,2}}(?:,? \d{{4}})?$", re.IGNORECASE)
GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")
SENTENCE_END = re.compile(r"[.!?][\"')\]]?\s+[A-Z(\"']")
WORD = re.compile(r"\w+")

# A lone abstract costs a little more than a pair, so a title and its abstract are never
# read as two abstract-only records just because the title happens to be long.
LONE_ABSTRACT_PENALTY = 0.15
MAX_LINE_CHARS = 20_000  # the longest real abstracts are ~3,000 characters
PROSE = 0.45  # a line scoring this much reads like a sentence of prose


@dataclass
class _Line:
    number: int
    text: str


def parse_dump(data: bytes, source_name: str) -> tuple[list[Record], str]:
    text = decode(data, source_name)
    lines, had_boilerplate, had_blank_lines = _content_lines(text, source_name)
    if not lines:
        raise InputError("no paper records found (the file is empty or holds only site boilerplate)",
                         source_name, hint="pass a dump of a paper listing page")
    records = _split(lines, source_name)
    prose = sum(1 for r in records if prose_score(r.abstract) >= PROSE)
    if prose < len(records) / 2:
        raise InputError("matches no known dump shape: the lines read neither as titles with abstracts "
                         "nor as one abstract per line", source_name,
                         hint="each paper needs its abstract on one line")
    if had_boilerplate or had_blank_lines:
        shape = "listing page"
    elif any(r.title for r in records):
        shape = "alternating titles and abstracts"
    else:
        shape = "one abstract per line"
    return records, shape


def decode(data: bytes, source_name: str) -> str:
    """The text of a source file, in NFC: an accent typed as one code point or as two is one text."""
    return unicodedata.normalize("NFC", _decode(data, source_name))


def _decode(data: bytes, source_name: str) -> str:
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError("is a binary file, not a text dump", source_name, hint="export the page as plain text")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(f"is not valid {encoding} (byte {exc.start})", source_name) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text (invalid byte at offset {exc.start})", source_name,
                         hint="convert it first, e.g. iconv -f latin1 -t utf-8") from None


def _content_lines(text: str, source: str) -> tuple[list[_Line], bool, bool]:
    """Lines that may hold a title or an abstract, with their 1-based line numbers."""
    out: list[_Line] = []
    had_boilerplate = had_blank = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if len(raw) > MAX_LINE_CHARS:
            raise InputError(f"line is {len(raw):,} characters long; no title or abstract is", source,
                             number, hint="is this really a paper listing? split or fix the line")
        line = " ".join(raw.split())  # tabs, trailing spaces, runs of spaces
        if not line:
            had_blank = had_blank or bool(out)
            continue
        if line.lower() in BOILERPLATE or DATE_LINE.match(line):
            had_boilerplate = True
            continue
        if not out and GLUED_SUBSCRIBE.match(line):
            # The page's "Subscribe" button text runs into the first title when copied.
            had_boilerplate = True
            line = line[len("Subscribe"):]
        out.append(_Line(number, line))
    return out, had_boilerplate, had_blank


def prose_score(line: str) -> float:
    """0 for a line that reads like a title, 1 for one that reads like an abstract.

    Abstracts end like a sentence and usually hold several; titles rarely do either
    (a title may end in '?', so that counts for less).
    """
    words = len(WORD.findall(line))
    breaks = len(SENTENCE_END.findall(line))
    ending = 0.5 if line.endswith((".", "!", '."', ".)")) else 0.25 if line.endswith("?") else 0.0
    return ending + 0.15 * min(breaks, 2) + 0.2 * min(words / 100, 1.0)


def _split(lines: list[_Line], source_name: str) -> list[Record]:
    """Cheapest reading of the whole file as pairs and lone abstracts (dynamic programming)."""
    scores = [prose_score(line.text) for line in lines]
    n = len(lines)
    best = [0.0] + [float("inf")] * n
    step = [0] * (n + 1)  # 1: lone abstract ends here, 2: a pair ends here
    for i in range(n):
        if best[i] == float("inf"):
            continue
        lone = best[i] + (1 - scores[i]) + LONE_ABSTRACT_PENALTY
        if lone < best[i + 1]:
            best[i + 1], step[i + 1] = lone, 1
        if i + 1 < n:
            pair = best[i] + scores[i] + (1 - scores[i + 1])
            if pair < best[i + 2]:
                best[i + 2], step[i + 2] = pair, 2
    records: list[Record] = []
    i = n
    while i > 0:
        if step[i] == 2:
            title, abstract = lines[i - 2], lines[i - 1]
            records.append(Record(abstract=abstract.text, title=title.text, file=source_name, line=title.number))
        else:
            abstract = lines[i - 1]
            records.append(Record(abstract=abstract.text, title=None, file=source_name, line=abstract.number))
        i -= step[i]
    records.reverse()
    return records
