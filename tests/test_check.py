"""`litsite check` and `litsite new`."""
from __future__ import annotations

import re
import shutil

import yaml

from conftest import REPO, run_litsite

FIXTURE = REPO / "tests" / "fixtures" / "check"
EXPECTED = {  # file -> (line, what the message says)
    "yaml-syntax.md": (3, "YAML syntax error"),
    "unknown-key.md": (4, "unknown key 'tilte' (did you mean 'title'?)"),
    "wrong-type.md": (4, "'tags' must be a list"),
    "missing-title.md": (2, "missing required field 'title'"),
    "same-slug.md": (1, "duplicate slug 'same-slug'"),
    "dup-b.md": (3, "same abstract as tests/fixtures/check/dup-a.md"),
    "unknown-tag.md": (6, "tag 'graph-neural-netwrok' is not in the tag vocabulary (did you mean 'gnn'?)"),
    "unknown-topic.md": (4, "topic 'graph-learnin' is not defined in site.yaml (did you mean 'graph-learning'?)"),
    "bad-url.md": (5, "link 'code' is not a valid http(s) URL"),
    "bad-doi.md": (4, "'doi.org/10.1/x' is not a DOI"),
    "bad-arxiv.md": (4, "'arXiv:21.0001' is not an arXiv id"),
}


def test_check_reports_every_kind_of_mistake_with_file_and_line():
    result = run_litsite(REPO, "check", "tests/fixtures/check")
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(EXPECTED), lines
    for name, (line, message) in EXPECTED.items():
        pattern = rf"^tests/fixtures/check/{re.escape(name)}:{line}:\d+: (error|warning): .*{re.escape(message)}"
        assert any(re.search(pattern, line) for line in lines), (name, lines)
    assert "10 errors, 1 warnings in 13 files" in result.stderr


def test_check_github_format_prints_workflow_annotations():
    result = run_litsite(REPO, "check", "--format", "github", "tests/fixtures/check")
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(EXPECTED)
    assert all(re.match(r"^::(error|warning) file=tests/fixtures/check/[^,]+,line=\d+,col=\d+,title=litsite check::", line)
               for line in lines), lines


def test_check_on_the_seed_content_finds_nothing():
    result = run_litsite(REPO, "check")
    assert result.returncode == 0 and result.stdout == ""
    papers = len(list((REPO / "content" / "papers").glob("*.md")))
    lists = len(list((REPO / "content" / "lists").glob("*.md")))
    assert (papers, lists) == (273, 1)
    assert f"0 errors, 0 warnings in {papers + lists} files" in result.stderr  # the reading list is checked too


def test_unknown_tags_become_errors_when_site_yaml_says_so(project):
    shutil.copy(FIXTURE / "unknown-tag.md", project / "content" / "papers" / "unknown-tag.md")
    assert run_litsite(project, "check").returncode == 0
    config = project / "site.yaml"
    config.write_text(config.read_text().replace("unknown_tags: warning", "unknown_tags: error"))
    result = run_litsite(project, "check")
    assert result.returncode == 1 and ": error: tag 'graph-neural-netwrok'" in result.stdout


def test_a_broken_site_yaml_is_reported_with_its_line(project):
    config = project / "site.yaml"
    config.write_text(config.read_text().replace("per_page: 100", "per_page: 100\nper_pgae: 5"))
    result = run_litsite(project, "check")
    assert result.returncode == 1
    assert re.search(r"site\.yaml:\d+: error: unknown key 'per_pgae' \(did you mean 'per_page'\?\)", result.stdout)


def test_new_writes_a_valid_paper_with_a_unique_slug(project):
    first = run_litsite(project, "new", "Neural Link Prediction", "--abstract",
                        "Link prediction with graph neural networks and message passing.", "--code",
                        "https://github.com/a/b", check=True)
    second = run_litsite(project, "new", "Neural Link Prediction", "--tags", "gnn,link-prediction",
                         "--topics", "graph-learning", check=True)
    assert first.stdout.strip() == "content/papers/neural-link-prediction.md"
    assert second.stdout.strip() == "content/papers/neural-link-prediction-2.md"
    data = yaml.safe_load((project / first.stdout.strip()).read_text().split("---")[1])
    assert data["links"] == {"code": "https://github.com/a/b"}
    assert "link-prediction" in data["tags"] and "link-prediction" in data["topics"]
    data = yaml.safe_load((project / second.stdout.strip()).read_text().split("---")[1])
    assert data["tags"] == ["gnn", "link-prediction"] and data["topics"] == ["graph-learning"]
    assert run_litsite(project, "check").returncode == 0


def test_new_rejects_a_bad_url_and_writes_nothing(project):
    result = run_litsite(project, "new", "Paper", "--code", "not a url")
    assert result.returncode == 2 and "not a valid http(s) URL" in result.stderr
    assert list((project / "content" / "papers").iterdir()) == []
