"""Property-based tests: the file format, slugs and the dump reader on arbitrary input."""
from __future__ import annotations

import string
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.content.frontmatter import render_paper_file
from generator.content.paper import Paper
from generator.content.slugs import is_safe_slug, unique_slug
from generator.content.validate import read_paper
from generator.errors import InputError
from generator.sources.dumps import parse_dump

# Any Unicode text a file can hold: everything but surrogates (not encodable in UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
TAG = st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}\Z")


# derandomize: the same examples every run, so a run never fails where the last one passed
# (a random search first found the NFC case below on CI; it is kept as an explicit example).
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(title=TEXT.filter(lambda t: t.strip() != ""), abstract=TEXT, tags=st.lists(TAG, max_size=20),
       notes=st.text(string.printable, max_size=200))
@example(title="\u0f4d", abstract="Jose\u0301 \u0f4d", tags=[], notes="")  # NFC decomposes U+0F4D
def test_front_matter_round_trips_any_title_abstract_and_tags(title, abstract, tags, notes):
    """Exactly, up to NFC: litsite reads every text in NFC (one form of each text, issue 20)."""
    paper = Paper(slug="p", title=title, abstract=abstract, tags=tags, notes=notes)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.md"
        path.write_bytes(render_paper_file(paper).encode("utf-8"))
        back = read_paper(path)
    assert back.title == unicodedata.normalize("NFC", title)
    assert back.abstract == unicodedata.normalize("NFC", abstract)
    assert back.tags == tags


@settings(max_examples=500, deadline=None, derandomize=True)
@given(text=TEXT, taken=st.sets(TAG, max_size=30), seed=TEXT)
def test_unique_slug_is_always_safe_new_and_non_empty(text, taken, seed):
    slug = unique_slug(text, taken, seed)
    assert slug and is_safe_slug(slug)
    assert slug.lower() not in {t.lower() for t in taken}
    assert "/" not in slug and ".." not in slug
    assert unique_slug(text, taken, seed) == slug  # the same on every run


@settings(max_examples=400, deadline=None, derandomize=True)
@given(data=st.one_of(st.binary(max_size=2000), TEXT.map(lambda t: t.encode("utf-8")),
                      st.lists(TEXT, max_size=12).map(lambda ls: "\n".join(ls).encode("utf-8"))))
def test_the_dump_reader_returns_records_or_raises_the_documented_error(data):
    try:
        records, shape = parse_dump(data, "input.txt")
    except InputError as exc:
        assert str(exc).startswith("input.txt")
        return
    assert records and shape in ("listing page", "alternating titles and abstracts", "one abstract per line")
    for record in records:
        assert record.abstract and record.line >= 1


# What bibliographies put in fields: TeX, balanced braces, maths, URLs with & and ~, odd years
# and DOIs. (Unbalanced braces are not an entry the parser can split: a failed block, reported.)
FIELD = st.lists(st.sampled_from(list("abcXYZ019 ,.:;-_&~%#$^/@'\"é漢") + [
    "\\TeX", "$x_1$", "$\\Sigma$", "{\\'e}", "{{ABC}}", "\\&", "\\%", "\\_", "10.", "10/", "https://",
    "doi:", "\\url{https://x.org/a&b~c}", "\\emph{x}", "{", "}"]), max_size=30).map("".join).filter(
    lambda v: v.count("{") == v.count("}"))
FIELDS = ("title", "author", "year", "date", "doi", "url", "journal", "booktitle", "eprint", "abstract", "keywords")


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.dictionaries(st.sampled_from(FIELDS), FIELD, min_size=1), kind=st.sampled_from(["article", "misc"]))
def test_any_bibtex_entry_the_parser_can_split_imports_as_a_file_build_accepts(values, kind):
    """The import contract, on arbitrary field values: whatever bibtexparser splits into an
    entry becomes, after litsite's normalisation and merge, a paper file with no error."""
    import datetime as dt

    from hypothesis import assume

    from generator.content.validate import check_paper_file
    from generator.sources.bibtex import parse_bibtex
    from generator.sources.merge import plan_import
    from generator.sources.records import normalise

    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in values.items())
    try:
        records, _problems = parse_bibtex(f"@{kind}{{key1,\n{body}\n}}\n", "p.bib")
    except InputError:
        assume(False)  # not an entry the parser can split
    assume(records)
    for record in records:
        normalise(record, 2026)
    plan = plan_import(records, [], dt.date(2026, 12, 1))
    for paper in plan.added:
        text = render_paper_file(paper)
        _paper, problems = check_paper_file(Path(f"/tmp/{paper.slug}.md"), text)
        assert [p for p in problems if p.severity == "error"] == [], (values, text)
