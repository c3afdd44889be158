"""BibTeX (Zotero, JabRef, Google Scholar exports) -> Records, with bibtexparser 2.x.

LaTeX becomes Unicode, month macros are understood, `file` fields (local paths) are dropped.
An entry that cannot be parsed is reported with its line and the rest still import; a
duplicate key is reported and its entry imported all the same (it is a record of its own).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from generator.content.tex import latex_decoder
from generator.errors import InputError, Problem
from generator.sources.records import Record, identifiers_from, text_of_markup, verbatim
from generator.workers import ForkedJobs, fork_workers


def parse_bibtex(text: str, source_name: str) -> tuple[list[Record], list[Problem]]:
    text, repaired = repair(text)
    repairs = [Problem("entry repaired: it had no key or an empty field", source_name, line, severity="warning",
                       hint="check it in the source") for line in repaired]
    parsed = _parse_in_parts(text, source_name) or [_parse(text, source_name, whole=True)]
    records = [record for part in parsed for record in part.records]
    problems = ([p for part in parsed for p in part.tex_faults] + repairs
                + [p for part in parsed for p in part.problems])
    if not records and not problems:
        raise InputError("holds no BibTeX entries", source_name)
    return records, problems


@dataclass
class _Parsed:
    records: list[Record]
    tex_faults: list[Problem]
    problems: list[Problem]  # in the order of the entries
    keys: list[str]  # of every entry, lower-cased
    clean: bool  # no block set aside, no crossref: a part that needs nothing from the others


PARALLEL_FROM = 1_000_000  # characters (~500 entries with abstracts); below, forking costs more than it saves
# Searched one by one in the lower-cased text: each starts with a literal, which re finds at C
# speed (one pattern with an alternation and IGNORECASE took 0.5 s over 18 MB).
_NEEDS_WHOLE = tuple(re.compile(p) for p in (r"@\s*string\b", r"crossref\s*=", r"xdata\s*="))


def _parse_in_parts(text: str, source_name: str) -> list[_Parsed] | None:
    """A large file read on forked workers, part by part (bibtexparser is serial: ~1 s for
    10,000 entries, and making records as long again). Only when no part needs another:
    `@string` macros and `crossref`/`xdata` reach across entries, so such a file, a part with
    a block bibtexparser set aside, or a key in two parts (a duplicate) is read whole. Each
    part is padded with the newlines before it, so every line number is the whole file's."""
    workers = fork_workers(True, len(text), PARALLEL_FROM)
    if not workers:
        return None
    lowered = text.lower()
    if any(pattern.search(lowered) for pattern in _NEEDS_WHOLE):
        return None
    cuts = _entry_boundaries(text, workers)
    if len(cuts) < 3:
        return None
    pieces = ["\n" * text.count("\n", 0, start) + text[start:end] for start, end in itertools.pairwise(cuts)]
    found: dict[int, _Parsed] = {}
    with ForkedJobs(_parse_piece, (pieces, source_name), list(range(len(pieces))), workers) as jobs:
        found.update(jobs.results())
    parts = [found[i] for i in range(len(pieces))]
    keys: set[str] = set()
    for part in parts:
        if not part.clean or keys.intersection(part.keys):
            return None
        keys.update(part.keys)
    return parts


def _parse_piece(shared: tuple[list[str], str], index: int) -> tuple[int, _Parsed]:
    pieces, source_name = shared
    return index, _parse(pieces[index], source_name, whole=False)


def _entry_boundaries(text: str, parts: int) -> list[int]:
    """Offsets that cut `text` into about `parts` pieces, each cut at a line that starts an
    entry outside every brace (depth counted by C-speed str.count: BibTeX values balance
    their braces, so a cut at depth 0 is between entries)."""
    cuts = [0]
    for n in range(1, parts):
        at = text.find("\n@", len(text) * n // parts)
        while at != -1 and text.count("{", 0, at) != text.count("}", 0, at):
            at = text.find("\n@", at + 2)
        if at == -1:
            break
        if at + 1 > cuts[-1]:
            cuts.append(at + 1)
    return cuts + [len(text)]


def _parse(text: str, source_name: str, whole: bool) -> _Parsed:
    import logging

    import bibtexparser
    from bibtexparser import middlewares as mw

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # we report failed blocks ourselves
    decoder = _decoder_class()()
    try:
        library = bibtexparser.parse_string(text, append_middleware=[decoder, mw.MonthIntMiddleware(True)])
    except Exception as exc:  # bibtexparser raises assorted errors on pathological input
        raise InputError(f"cannot be read as BibTeX: {exc}", source_name) from None
    tex_faults = [Problem(f"entry '{key}': field '{field}' kept as written: its TeX could not be read ({reason})",
                          source_name, line, severity="warning") for key, field, line, reason in decoder.faults]
    problems: list[Problem] = []
    entries = list(library.entries)
    clean = not library.failed_blocks
    if not whole and not clean:
        return _Parsed([], tex_faults, problems, [], clean=False)  # to be read whole
    for block in library.failed_blocks:
        entry, problem = _recover(block, library, decoder, source_name)
        if entry is not None:
            entries.append(entry)
        if problem is not None:
            problems.append(problem)
    containers = _inherit_from_crossref(entries)
    if containers:
        problems.append(Problem(f"{len(containers)} container entries (proceedings, collections) gave their fields "
                                f"to the entries that cite them with crossref and are not papers themselves: "
                                f"{', '.join(sorted(containers)[:5])}{', …' if len(containers) > 5 else ''}",
                                source_name, severity="warning"))
    records: list[Record] = []
    seen_keys: set[str] = set()
    for entry in sorted(entries, key=lambda e: e.start_line or 0):
        if entry.key in containers:
            continue
        record, problem = _record(entry, source_name)
        if problem:
            problems.append(problem)
        if record:
            record.duplicate_key = bool(entry.key) and entry.key in seen_keys  # '' is no key at all
            records.append(record)
        seen_keys.add(entry.key)
    return _Parsed(records, tex_faults, problems, [e.key.lower() for e in entries], clean)


_CONTAINER_TYPES = frozenset({"proceedings", "mvproceedings", "collection", "mvcollection", "mvbook", "mvreference",
                              "reference", "periodical"})
_NOT_INHERITED = frozenset({"title", "subtitle", "titleaddon", "abstract", "keywords", "ids", "crossref", "xdata",
                            "shorttitle", "sortkey", "label", "entryset", "related", "doi", "url", "eprint", "file",
                            "pages", "note", "annotation"})


def _inherit_from_crossref(entries) -> set[str]:
    """biblatex/BibTeX inheritance: an entry with `crossref` or `xdata` takes each field it lacks
    from the entry it names (the parent's title becoming its `booktitle`). Returns the keys of
    parents that are containers (proceedings, collections): their children are the papers."""
    from bibtexparser.model import Field

    by_key = {e.key.lower(): e for e in entries}
    containers = set()
    for entry in entries:
        for link in ("crossref", "xdata"):
            target = next((f.value for k, f in entry.fields_dict.items() if k.lower() == link), None)
            parent = by_key.get(str(target).strip().lower()) if target else None
            if parent is None or parent is entry:
                continue
            if parent.entry_type.lower() in _CONTAINER_TYPES:
                containers.add(parent.key)
            have = {k.lower() for k in entry.fields_dict}
            for key, field in parent.fields_dict.items():
                name = key.lower()
                if name == "title" and link == "crossref" and "booktitle" not in have:
                    entry.set_field(Field("booktitle", field.value))
                elif name not in have and name not in _NOT_INHERITED:
                    entry.set_field(Field(key, field.value))
    return containers


# What pylatexenc changes: macros, groups, maths, ties, comments, dashes and TeX quotes. A value
# with none of these decodes to itself (pylatexenc takes ~1 ms a field: 46 s for 10,000 entries).
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_TEX_SPECIAL = re.compile(r"[\\{}$~%]|--|``|''")


VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "file", "pdf", "urldate", "howpublished_url"})


_IGNORED_FIELDS = frozenset({"file", "pdf", "groups", "mendeley-groups", "mendeley-tags", "timestamp", "owner",
                             "priority", "ranking", "readstatus", "qualityassured"})  # local to one library


def _recover(block, library, decoder, source_name: str):
    """An entry bibtexparser set aside, made usable where the fault is one litsite does not care
    about: a reused key, a repeated field (JabRef and Zotfile repeat `file`), a missing key
    (EndNote writes `@article{` and the first field) or an empty field (`, ,`). Returns the
    entry (or None) and the problem to report, in litsite's words."""
    from bibtexparser import middlewares as mw
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry

    line = (block.start_line or 0) + 1
    entry = getattr(block, "ignore_error_block", None)
    if isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock) and isinstance(entry, Entry):
        for layer in (mw.RemoveEnclosingMiddleware(), decoder, mw.MonthIntMiddleware(True)):  # set aside before them
            transformed = layer.transform_entry(entry, library)
            entry = transformed if isinstance(transformed, Entry) else entry
        if isinstance(block, DuplicateBlockKeyBlock):
            return entry, Problem(f"duplicate key '{block.key}': imported as a record of its own, check it",
                                  source_name, line, severity="warning")
        repeated = sorted(k for k in block.duplicate_keys if k.lower() not in _IGNORED_FIELDS)
        _keep_first(entry)
        if not repeated:  # a repeated `file` (a local attachment) is nothing litsite reads
            return entry, None
        return entry, Problem(f"entry '{entry.key}': field{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} "
                              f"given twice: the first is used", source_name, line, severity="warning")
    key = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", block.raw or "")
    reason = (str(getattr(block, "error", "") or "").strip().splitlines() or ["a brace or quote is not closed"])[0]
    if "brace or quote" in reason or reason.startswith("Unexpected"):
        reason = "a brace or quote is not closed"
    return None, Problem(f"malformed entry{f' {key.group(1)!r}' if key else ''} skipped: {reason}", source_name, line,
                         hint="fix the entry and import the file again")


def _keep_first(entry) -> None:
    seen: set[str] = set()
    fields = []
    for field in entry.fields:
        if field.key.lower() not in seen:
            fields.append(field)
            seen.add(field.key.lower())
    entry.fields = fields


_NO_KEY = re.compile(r"^(\s*@(?!string|comment|preamble)\w+\s*[{(])(?=\s*[A-Za-z][\w-]*\s*=)",
                     re.MULTILINE | re.IGNORECASE)


_EMPTY_FIELD = re.compile(r",\s*,")


def repair(text: str) -> tuple[str, list[int]]:
    """Two faults of real exports that make bibtexparser drop an entry, repaired in the text:
    no key at all (EndNote writes `@article{` and then the first field) and an empty field
    (`title = {…},  , number = …`). Returns the text and the lines repaired."""
    lines: list[int] = []

    def no_key(match: re.Match) -> str:
        lines.append(text.count("\n", 0, match.start()) + 1 + match.group(1).count("\n"))
        return match.group(1) + ","

    text = _NO_KEY.sub(no_key, text)
    if not _EMPTY_FIELD.search(text):  # the common case: no scan
        return text, lines
    out, depth, at = [], 0, 0
    while at < len(text):  # braces only: `@type(…)` entries, and parentheses in values, are left alone
        char = text[at]
        if char == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        elif char == "," and depth == 1:
            ahead = at + 1
            while ahead < len(text) and text[ahead] in " \t\r\n":
                ahead += 1
            if ahead < len(text) and text[ahead] == ",":  # an empty field: drop this comma
                lines.append(text.count("\n", 0, at) + 1)
                at += 1
                continue
        out.append(char)
        at += 1
    return "".join(out), lines


def _decoder_class():
    """bibtexparser's LaTeX decoding, with two changes. URL-like fields are not TeX (decoding
    turned `&` and `~` in URLs into spaces); they are kept as written, for records.verbatim().
    And a field whose TeX cannot be decoded keeps its text (bibtexparser drops the whole
    entry as 'Middleware could not be fully applied')."""
    from bibtexparser import middlewares as mw
    from bibtexparser.model import Entry

    class Decoder(mw.LatexDecodingMiddleware):
        def __init__(self) -> None:
            super().__init__(decoder=latex_decoder("verbatim"))
            self.faults: list[tuple[str, str, int, str]] = []

        def transform_entry(self, entry: Entry, library):
            for field in entry.fields:
                if field.key.lower() in VERBATIM_FIELDS or not isinstance(field.value, str):
                    continue
                if not _TEX_SPECIAL.search(field.value):
                    continue  # plain text (most abstracts): decoding would return it as it is, slowly
                enclosing = field.enclosing
                # A bare '%' is TeX's comment sign: pylatexenc drops the rest of the value
                # ("arts (85% of books …" ended at "(85" in a real Mendeley export). In a
                # bibliography it is a per cent sign: decode it as one.
                text, error = self._transform_python_value_string(_BARE_PERCENT.sub(r"\\%", field.value))
                if error:
                    self.faults.append((entry.key, field.key, (entry.start_line or 0) + 1, error.splitlines()[0]))
                    text = field.value.replace("{", "").replace("}", "")
                field.value = text
                field.enclosing = enclosing
            return entry

    return Decoder


def _field(entry, *names: str) -> str:
    for name in names:
        for key, field in entry.fields_dict.items():
            if key.lower() == name and field.value not in (None, ""):
                return _clean(str(field.value))
    return ""


def _clean(text: str) -> str:
    # LatexDecodingMiddleware already turned LaTeX into Unicode and dropped the braces that
    # only protect capitals; braces left are literal ones (from \{ and \}).
    return " ".join(text.split())


def _record(entry, source_name: str) -> tuple[Record | None, Problem | None]:
    line = entry.start_line + 1
    # Zotero keeps rich text as HTML (<i>E. coli</i>); BibTeX from doi.org carries Crossref's JATS.
    title = text_of_markup(_field(entry, "title"))
    abstract = text_of_markup(_field(entry, "abstract"))
    if not title and not abstract:
        return None, Problem(f"entry '{entry.key}' has neither title nor abstract: skipped", source_name, line,
                             hint="add a title")
    year_text = _field(entry, "year") or _field(entry, "date")  # biblatex: date = {2020-03-04}, {2020/2021}
    year = int(m.group(0)) if (m := re.search(r"\b(1[5-9]|20)\d\d\b", year_text)) else None
    venue = _field(entry, "journal", "journaltitle", "booktitle", "publisher", "howpublished", "school",
                   "institution")
    url = verbatim(_field(entry, "url"))
    doi, arxiv = identifiers_from(doi=verbatim(_field(entry, "doi")), eprint=verbatim(_field(entry, "eprint")), url=url,
                                  journal=venue, archive=_field(entry, "archiveprefix", "eprinttype"))
    if venue.lower().startswith("arxiv") and arxiv:
        venue = "arXiv"
    record = Record(
        abstract=abstract, title=title or None, file=source_name, line=line, key=entry.key,
        authors=_authors(entry), year=year, venue=venue, doi=doi, arxiv=arxiv,
        links={"project": url} if url and "arxiv.org" not in url and "doi.org" not in url else {},
        keywords=[k.strip() for k in re.split(r"[,;]", _field(entry, "keywords")) if k.strip()],
    )
    problem = None
    if not abstract:
        problem = Problem(f"entry '{entry.key}' has no abstract: imported, listed on the 'needs attention' page",
                          source_name, line, severity="warning")
    return record, problem


def _authors(entry) -> list[str]:
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

    raw = next((f.value for k, f in entry.fields_dict.items() if k.lower() == "author"), "")
    if not raw:
        return []
    names = []
    for person in split_multiple_persons_names(str(raw)):
        person = person.strip()
        if person.startswith("{") and person.endswith("}"):
            names.append(_clean(person))  # a corporate author, kept whole
            continue
        try:
            parts = parse_single_name_into_parts(person)
            name = " ".join(parts.first + parts.von + parts.last + ([", " + " ".join(parts.jr)] if parts.jr else []))
        except Exception:
            name = person
        names.append(_clean(name.replace(" , ", ", ")))
    return [n for n in names if n]
