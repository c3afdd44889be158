"""The paper file format: round trips, and every problem reported with file:line:col."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.content.frontmatter import render_paper_file
from generator.content.paper import Paper, Source
from generator.content.validate import check_paper_file, read_paper
from generator.errors import InputError
from generator.files import atomic_write_many


def roundtrip(paper: Paper, tmp_path: Path) -> Paper:
    path = tmp_path / f"{paper.slug}.md"
    path.write_text(render_paper_file(paper), encoding="utf-8")
    return read_paper(path)


def test_write_then_read_gives_the_same_paper(tmp_path):
    paper = Paper(slug="a-paper", title="Key: value -- with # hash & *star", abstract="x " * 100 + "end.",
                  title_source="dump", tags=["gnn", "link-prediction"], topics=["graph-learning"],
                  links={"code": "https://github.com/a/b", "project": ["https://a.org", "https://b.org"]},
                  sources=[Source("seeds/a.txt", 3)], added=dt.date(2024, 3, 11), notes="Some *notes*.\n")
    paper.generated["title"] = "0123456789"
    back = roundtrip(paper, tmp_path)
    for field in ("title", "abstract", "title_source", "tags", "topics", "links", "sources", "added", "generated"):
        assert getattr(back, field) == getattr(paper, field), field
    assert back.notes.strip() == "Some *notes*."


@pytest.mark.parametrize("title", ["key: value", "- item", "---", "&anchor", "*alias",
                                   "!!python/object/apply:os.system", "{{ 7*7 }}", "{% raw %}", "'quoted'",
                                   "深度学习", "שלום עולם", "null", "true", "2024-01-01", "123"])
def test_yaml_significant_titles_survive(tmp_path, title):
    paper = Paper(slug="t", title=title, abstract="An abstract.")
    assert roundtrip(paper, tmp_path).title == title


def test_a_person_edit_is_detected_by_fingerprint():
    paper = Paper(slug="p", title="")
    assert paper.set_generated("title", "Machine Title")
    assert paper.owned_by_machine("title")
    paper.title = "Person Title"
    assert not paper.owned_by_machine("title")
    assert not paper.set_generated("title", "Another Machine Title")
    assert paper.title == "Person Title"


def write(tmp_path: Path, text: str, name: str = "paper.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    _, found = check_paper_file(path)
    return [f"{p.line}:{p.message}" for p in found]


def test_unknown_key_gets_line_and_did_you_mean(tmp_path):
    path = write(tmp_path, "---\ntitle: T\nabstract: A.\ntagz: [x]\n---\n")
    _, found = check_paper_file(path)
    assert [(p.line, p.column) for p in found] == [(4, 1)]
    assert "unknown key 'tagz'" in found[0].message and "did you mean 'tags'" in found[0].hint


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    path = write(tmp_path, "---\ntitle: T\nabstract: A: B: [\n---\n")
    with pytest.raises(InputError) as caught:
        read_paper(path)
    problem = caught.value.problems[0]
    assert problem.path == str(path) and problem.line == 3 and problem.column is not None
    assert "YAML syntax error" in problem.message


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    path = write(tmp_path, "---\ntitle: T\ntags: [Bad Tag, ok]\nlinks:\n  code: not-a-url\nyear: 99\n"
                           "doi: nope\n---\n")
    found = problems(path)
    assert found == [
        "6:'year' must be a four-digit year, not 99",
        "3:'tags' entry 'Bad Tag' is not a valid slug",
        "5:link 'code' is not a valid http(s) URL: 'not-a-url'",
        "7:'nope' is not a DOI",
    ]


def test_missing_title_and_missing_front_matter(tmp_path):
    assert problems(write(tmp_path, "---\nabstract: A.\n---\n")) == ["2:missing required field 'title'"]
    assert problems(write(tmp_path, "just text\n", "b.md"))[0].startswith("1:the file must start with")
    assert problems(write(tmp_path, "---\ntitle: x\n", "c.md"))[0].startswith("1:the front matter is never closed")


def test_alias_bomb_is_refused(tmp_path):
    bomb = "---\ntitle: T\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
           "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n---\n"
    found = problems(write(tmp_path, bomb))
    assert len(found) == 1 and "anchors and aliases" in found[0]


def test_python_tags_are_not_executed(tmp_path):
    found = problems(write(tmp_path, "---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\n"))
    assert len(found) == 1 and "YAML" in found[0]


def test_ten_thousand_tags_is_an_error_not_a_crash(tmp_path):
    tags = ", ".join(f"t{i}" for i in range(10_000))
    found = problems(write(tmp_path, f"---\ntitle: T\ntags: [{tags}]\n---\n"))
    assert found == ["3:'tags' has 10000 entries; at most 50 are allowed"]


def test_unsafe_file_names_are_rejected(tmp_path):
    assert "not a valid slug" in problems(write(tmp_path, "---\ntitle: T\n---\n", "Bad Name.md"))[0]
    assert "not a valid slug" in problems(write(tmp_path, "---\ntitle: T\n---\n", "con.md"))[0]


def test_many_files_are_renamed_only_once_every_one_is_written(tmp_path):
    """An import writes its files together (one sync, then the renames): a failure on the last
    one must leave the first unchanged and no temporary file behind."""
    (tmp_path / "a.md").write_text("old", encoding="utf-8")
    (tmp_path / "blocker").write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(OSError):
        atomic_write_many([(tmp_path / "a.md", b"new"), (tmp_path / "blocker" / "b.md", b"new")])
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "blocker"]
    atomic_write_many([(tmp_path / "a.md", b"new"), (tmp_path / "c.md", b"c")])
    assert (tmp_path / "a.md").read_bytes() == b"new" and (tmp_path / "c.md").read_bytes() == b"c"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "blocker", "c.md"]


def test_per_paper_values_are_kept_per_object_and_made_again_for_a_new_one():
    """Site models keep each paper's card (content.paper.PerObject): the same Paper object gets
    the kept value, an edited paper (a new object, same slug) a new one, and a full store
    starts again rather than growing."""
    from generator.content.paper import PerObject

    made = []
    titles = PerObject(lambda paper: made.append(paper.slug) or paper.title.upper(), limit=2)
    first = Paper(slug="a", title="One")
    assert titles(first) == titles(first) == "ONE" and made == ["a"]
    assert titles(Paper(slug="a", title="Two")) == "TWO" and made == ["a", "a"]
    titles(Paper(slug="b", title="Three"))  # the store was full: emptied, then this one kept
    assert titles(first) == "ONE" and made == ["a", "a", "b", "a"]


def test_a_strings_fingerprint_is_the_one_files_already_hold():
    """fingerprint() takes a fast path for strings; the fingerprints already written in paper
    files (and checked on every import) are of json.dumps' text, so the two must agree on real
    text: every line of the real fixtures, and the characters JSON escapes."""
    import hashlib
    import json

    from generator.content.paper import fingerprint

    real = Path(__file__).parent / "fixtures" / "real"
    texts = [line for f in sorted(real.rglob("*")) if f.is_file()
             for line in f.read_text(encoding="utf-8", errors="replace").splitlines()]
    texts += ["", "\x00\x1f\u2028\"\\ é", "\u0085\t\n"]
    assert len(texts) > 10_000
    for text in texts:
        slow = json.dumps(text, sort_keys=True, ensure_ascii=False, default=str)
        assert fingerprint(text) == hashlib.sha256(slow.encode("utf-8")).hexdigest()[:10]
