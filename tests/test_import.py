"""`litsite import`: one paper per paper, nothing invented silently, edits never overwritten."""
from __future__ import annotations

import re

import pytest

from generator.content.frontmatter import render_paper_file
from generator.content.identity import abstract_key
from generator.content.paper import Paper
from generator.content.validate import read_paper
from generator.sources.merge import derive_title, extract_links
from generator.sources.records import Record

from conftest import REPO, collection, run_litsite, snapshot

A1 = ("We study the generalization of deep networks. Our analysis covers wide and deep models. "
      "Code is at https://github.com/example/deepgen.")
A2 = ("Graph neural networks learn node representations by message passing. We propose a new "
      "pooling operator. It improves link prediction on five benchmarks.")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


papers = collection


def test_seed_import_gives_273_papers_30_derived_and_is_idempotent(project):
    files = [str(p.relative_to(project)) for p in sorted((project / "sources" / "seeds").glob("*.txt"))]
    first = run_litsite(project, "import", *files, check=True)
    found = papers(project)
    assert len(found) == 273
    derived = [p for p in found.values() if p.title_is_derived]
    assert len(derived) == 30
    assert "30 papers have a title derived from the abstract" in first.stderr
    for paper in derived:  # each derived title is listed for fixing
        assert f"content/papers/{paper.slug}.md" in first.stderr
    assert sum(len(p.sources) for p in found.values()) == 282
    # What became of each file's records: 282 records, 273 papers, 9 records joined another.
    per_file = re.findall(r"^\S+\.txt: (\d+) records \([^)]*\): (\d+) new(?:, (\d+) merged)?$", first.stdout, re.M)
    assert len(per_file) == len(files)
    assert sum(int(n) for n, _, _ in per_file) == 282 and sum(int(new) for _, new, _ in per_file) == 273
    assert sum(int(m or 0) for _, _, m in per_file) == 9
    before = snapshot(project / "content")
    second = run_litsite(project, "import", *files, check=True)
    assert "0 new, 0 changed" in second.stdout
    assert second.stdout.count(" unchanged\n") >= len(files)  # each file: "N records (…): N unchanged"
    assert snapshot(project / "content") == before


def test_duplicates_across_files_become_one_paper_listing_every_source(project):
    a = write(project / "a.txt", f"Deep Generalization\n{A1}\nPooling Links\n{A2}\n")
    b = write(project / "b.txt", f"{A2.upper()}\n{A1.replace(' ', '   ')}\n")  # case and whitespace differ
    run_litsite(project, "import", str(a), str(b), check=True)
    found = papers(project)
    assert sorted(found) == ["deep-generalization", "pooling-links"]
    assert [(s.file, s.line) for s in found["pooling-links"].sources] == [("a.txt", 3), ("b.txt", 1)]


def test_abstract_only_record_takes_the_title_of_its_twin_in_a_later_import(project):
    only = write(project / "only.txt", f"{A1}\n{A2}\n")
    run_litsite(project, "import", str(only), check=True)
    slug_before = {p.abstract: p.slug for p in papers(project).values()}
    assert all(p.title_is_derived for p in papers(project).values())
    titled = write(project / "titled.txt", f"Deep Generalization\n{A1}\n")
    result = run_litsite(project, "import", str(titled), check=True)
    assert "0 new, 1 changed" in result.stdout
    paper = next(p for p in papers(project).values() if p.abstract == A1)
    assert paper.title == "Deep Generalization" and paper.title_source == "dump"
    assert paper.slug == slug_before[A1]  # URLs stay stable when a title is recovered
    assert len(paper.sources) == 2


def test_twin_title_is_used_within_one_import(project):
    dump = write(project / "mix.txt", f"{A1}\nDeep Generalization\n{A1}\n")
    run_litsite(project, "import", str(dump), check=True)
    (paper,) = papers(project).values()
    assert paper.title == "Deep Generalization" and not paper.title_is_derived


def test_derived_title_is_the_first_sentence_cut_at_a_word():
    assert derive_title("Short one. Second sentence.") == "Short one"
    long = derive_title("Recently, graph neural networks have been gaining a lot of attention to simulate "
                        "dynamical systems due to their inductive nature. More.")
    assert long.endswith("…") and len(long) <= 81 and not long[:-1].endswith(" ")


@pytest.mark.parametrize("text, expected", [
    ("Code: https://github.com/imankgoyal/NonDeepNetworks.", {"code": "https://github.com/imankgoyal/NonDeepNetworks"}),
    ("at https://github.com/huawei-noah/ghostnet/tree/master/tinynet_pytorch, and more",
     {"code": "https://github.com/huawei-noah/ghostnet/tree/master/tinynet_pytorch"}),
    ("(see https://github.com/NVlabs/gbrl).", {"code": "https://github.com/NVlabs/gbrl"}),
    ("released at github.com/Graph-COM/Neighborhood-Aware-Temporal-Network.",
     {"code": "https://github.com/Graph-COM/Neighborhood-Aware-Temporal-Network"}),
    ("project page https://indu1ge.github.io/DepthMaster_page. and www.deepgcns.org",
     {"project": ["https://indu1ge.github.io/DepthMaster_page", "https://www.deepgcns.org"]}),
    ("paper https://arxiv.org/abs/2101.00001v2; pdf https://x.org/a.pdf",
     {"arxiv": "https://arxiv.org/abs/2101.00001v2", "pdf": "https://x.org/a.pdf"}),
    ("a wiki link https://en.wikipedia.org/wiki/Foo_(bar).", {"project": "https://en.wikipedia.org/wiki/Foo_(bar)"}),
    ("no links here, just e.g. 3.5 and a.b", {}),
])
def test_urls_are_copied_into_links_without_trailing_punctuation(text, expected):
    assert extract_links(text) == expected


def test_abstract_keeps_its_text_and_links_are_filled(project):
    dump = write(project / "d.txt", f"Deep Generalization\n{A1}\n")
    run_litsite(project, "import", str(dump), check=True)
    (paper,) = papers(project).values()
    assert paper.abstract == A1
    assert paper.links == {"code": "https://github.com/example/deepgen"}


def test_slug_collisions_get_a_suffix_and_stay_stable(project):
    dump = write(project / "d.txt", f"Same Title\n{A1}\nSame Title\n{A2}\nsame title!\n{A1.replace('deep', 'shallow')}\n")
    run_litsite(project, "import", str(dump), check=True)
    slugs = sorted(papers(project))
    assert slugs == ["same-title", "same-title-2", "same-title-3"]
    again = snapshot(project / "content")
    run_litsite(project, "import", str(dump), check=True)
    assert snapshot(project / "content") == again


def test_person_edits_to_title_tags_links_and_notes_survive_reimport(project):
    dump = write(project / "d.txt", f"Deep Generalization\n{A1}\n")
    run_litsite(project, "import", str(dump), check=True)
    path = project / "content" / "papers" / "deep-generalization.md"
    paper = read_paper(path)
    paper.title = "Deep Generalization: A Better Title"
    paper.tags = ["generalization", "my-own-tag"]
    paper.links = {"code": "https://github.com/fixed/url"}
    paper.notes = "Read in our group meeting.\n"
    path.write_text(render_paper_file(paper), encoding="utf-8")
    edited = path.read_bytes()
    other = write(project / "e.txt", f"Deep Generalization Again\n{A1}\n")
    run_litsite(project, "import", str(dump), str(other), check=True)
    run_litsite(project, "import", str(dump), check=True)
    after = read_paper(path)
    assert after.title == "Deep Generalization: A Better Title"
    assert after.tags == ["generalization", "my-own-tag"]
    assert after.links == {"code": "https://github.com/fixed/url"}
    assert after.notes.strip() == "Read in our group meeting."
    assert [s.file for s in after.sources] == ["d.txt", "e.txt"]  # a new source is still recorded
    assert edited != path.read_bytes()


def test_locked_field_is_not_changed_even_when_unedited(project):
    only = write(project / "only.txt", f"{A1}\n")
    run_litsite(project, "import", str(only), check=True)
    (paper,) = papers(project).values()
    paper.locked = ["title"]
    paper.path.write_text(render_paper_file(paper), encoding="utf-8")
    titled = write(project / "t.txt", f"Real Title\n{A1}\n")
    result = run_litsite(project, "import", str(titled), check=True)
    (after,) = papers(project).values()
    assert after.title == paper.title and after.title_is_derived
    assert "conflict" in result.stderr and "Real Title" in result.stderr


def test_bad_input_file_stops_everything_with_one_line_and_exit_2(project):
    good = write(project / "good.txt", f"Deep Generalization\n{A1}\n")
    bad = project / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    result = run_litsite(project, "import", str(good), str(bad))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "bad.txt" in result.stderr and "binary" in result.stderr
    assert "Traceback" not in result.stderr
    assert list((project / "content" / "papers").iterdir()) == []


def test_missing_file_is_a_clear_error(project):
    result = run_litsite(project, "import", "nope.txt")
    assert result.returncode == 2 and "nope.txt" in result.stderr and "no such file" in result.stderr


def test_dry_run_writes_nothing(project):
    dump = write(project / "d.txt", f"Deep Generalization\n{A1}\n")
    result = run_litsite(project, "import", "--dry-run", str(dump), check=True)
    assert "1 new" in result.stdout
    assert list((project / "content" / "papers").iterdir()) == []


def test_abstract_key_ignores_whitespace_case_and_punctuation():
    assert abstract_key("Hello,  World -- it's ME.") == abstract_key("hello world its me")
    assert abstract_key("a b") != abstract_key("a c")


def test_abstract_key_of_ascii_text_is_what_the_unicode_rule_gives():
    # abstract_key has a fast path for ASCII text: it must drop exactly what [\W_] drops.
    import re

    unicode_rule = re.compile(r"[\W_]+")
    for code in range(128):
        text = f"Ab{chr(code)}Cd"
        assert abstract_key(text) == unicode_rule.sub("", text.casefold()), repr(chr(code))
    assert abstract_key("Schrödinger's Čat — 2×3") == "schrödingersčat23"  # the regex keeps non-ASCII letters


EDITS = {  # how one abstract comes back from another export, all within the near-identical bound
    "label at the start": lambda t: "Abstract: " + t,
    "copyright at the end": lambda t: t + " © 2021 IEEE.",
    "both ends": lambda t: "Abstract. " + t + " (c) The authors 2020.",
    "a word in the middle": lambda t: _replace_middle_word(t, "revised"),
    "a typo in the middle and a label": lambda t: "Summary: " + _replace_middle_word(t, "teh"),
}


def _replace_middle_word(text: str, word: str) -> str:
    words = text.split()
    words[len(words) // 2] = word
    return " ".join(words)


def test_near_identical_abstracts_are_found_as_comparing_every_pair_finds_them():
    """The shingle index behind near-duplicate detection, against the exact answer: every pair
    of (original, edited copy) that a full comparison of all pairs calls near-identical must be
    a candidate the index returns. Real abstracts: the seed dumps and the real exports."""
    from generator.content.identity import evidence_key
    from generator.sources.merge import _Catalogue, _near
    from generator.sources.readers import read_records

    sources = sorted((REPO / "sources" / "seeds").glob("*.txt")) + [
        REPO / "tests/fixtures/real" / name for name in ("jabref-authors.bib", "mendeley-export.bib",
                                                        "zotero-better-csl.json", "rispy-example-wos.ris")]
    abstracts = sorted({r.abstract for path in sources for r in read_records(path, path.name)[0]
                        if evidence_key(r.abstract)})
    assert len(abstracts) > 250
    originals = [Paper(slug=f"p{i}", title=f"Paper {i}", abstract=text) for i, text in enumerate(abstracts)]
    catalogue = _Catalogue(originals)
    checked = 0
    for name, edit in EDITS.items():
        for text in abstracts[::6]:
            record = Record(abstract=edit(text), title=None, file="edited.bib")
            key = evidence_key(record.abstract)
            exact = {p.slug for p in originals if _near(record.abstract, p.abstract)}
            found = {p.slug for p in catalogue._near_abstracts(record, key)}
            assert found == exact, (name, text[:80])
            checked += bool(exact)
    assert checked > 0.9 * len(EDITS) * len(abstracts[::6])  # most edits stay near-identical


def test_an_import_on_forked_workers_writes_what_one_process_writes(tmp_path, monkeypatch, capsys):
    """A large import reads its .bib, finds shingles, matches topics and tags, renders, checks
    and stages its files on forked workers. The seed dumps and real exports take that path with
    lowered thresholds:
    every file must be byte for byte the one-process import's, and no temporary file is left."""
    import shutil

    import generator.analysis.taxonomy as taxonomy
    import generator.sources.bibtex as bibtex
    import generator.sources.importer as importer
    import generator.sources.merge as merge
    from generator import cli

    real = REPO / "tests" / "fixtures" / "real"
    sources = [*sorted((REPO / "sources" / "seeds").glob("*.txt")), real / "biblatex-examples.bib",
               real / "jabref-groups.bib"]
    roots = []
    for name in ("one-process", "forked"):
        root = tmp_path / name
        (root / "content" / "papers").mkdir(parents=True)
        for config in ("site.yaml", "tags.yaml"):
            shutil.copy(REPO / config, root / config)
        roots.append(root)
    codes, reports = [], []
    for root in roots:
        if root is roots[1]:
            monkeypatch.setattr(importer, "PARALLEL_FROM", 50)
            monkeypatch.setattr(taxonomy, "PARALLEL_FROM", 50)
            monkeypatch.setattr(merge, "PARALLEL_FROM", 50)  # shingles found ahead, on workers
            monkeypatch.setattr(bibtex, "PARALLEL_FROM", 1)  # the .bib is read whole (it has @string)
        codes.append(cli.main(["--root", str(root), "import", "--added", "2026-12-02", *map(str, sources)]))
        reports.append(capsys.readouterr().out.replace(str(root), "ROOT"))
    assert codes[0] in (0, 1) and codes[1] == codes[0] and reports[1] == reports[0]
    one, forked = (snapshot(root / "content") for root in roots)
    assert len(one) > 300 and forked == one
    assert not [name for root in roots for name in (root / "content" / "papers").iterdir() if name.suffix == ".tmp"]


def test_shingles_found_ahead_on_workers_are_the_ones_the_merge_would_find(monkeypatch):
    """The merge looks each abstract's shingles up in what forked workers found ahead; on real
    abstracts (seed dumps and a real .bib) they must be exactly what it finds itself, both the
    ones a record asks with and the ones a paper is indexed by (they differ for short texts)."""
    import os

    import generator.sources.merge as merge
    from generator.content.identity import evidence_key
    from generator.sources.readers import read_records

    if (os.cpu_count() or 1) < 2:
        pytest.skip("workers need two CPUs")
    paths = [*sorted((REPO / "sources" / "seeds").glob("*.txt")), REPO / "tests" / "fixtures" / "real" / "jabref-groups.bib"]
    records = [r for path in paths for r in read_records(path, path.name)[0]]
    monkeypatch.setattr(merge, "PARALLEL_FROM", 50)
    ahead = merge._shingles_ahead(records, [])
    texts = {r.abstract for r in records if evidence_key(r.abstract)}
    assert len(texts) > 300 and set(ahead) == {(t, asking) for t in texts for asking in (True, False)}
    for (text, asking), shingles in ahead.items():
        assert shingles == merge._shingles(text, evidence_key(text), asking=asking)
    assert any(ahead[(t, True)] != ahead[(t, False)] for t in texts)  # the short texts are among them
