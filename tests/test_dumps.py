"""The raw dump reader: three shapes, messy text, and files that are not dumps at all."""
from __future__ import annotations

import pytest

from generator.errors import InputError
from generator.sources.dumps import parse_dump

from conftest import SEEDS

ABSTRACT_1 = ("We study the generalization of deep networks. Our analysis covers wide and deep models. "
              "Experiments on CIFAR-10 confirm the theory.")
ABSTRACT_2 = ("Graph neural networks learn node representations by message passing. We propose a new "
              "pooling operator. It improves link prediction on five benchmarks.")
ABSTRACT_3 = ("Monocular depth estimation recovers depth from one image. We train a diffusion model for it. "
              "Results on KITTI and NYUv2 set a new state of the art.")


def parse(text: str, name: str = "dump.txt"):
    return parse_dump(text.encode("utf-8"), name)


def test_listing_page_with_boilerplate_dates_and_blank_lines():
    text = ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nbyAK and the research community\n\n"
            "Mar 11\n\nDeep Models Generalize\n\n" + ABSTRACT_1 + "\n\nPooling for Links\n\n" + ABSTRACT_2 + "\n")
    records, shape = parse(text)
    assert shape == "listing page"
    assert [(r.title, r.line) for r in records] == [("Deep Models Generalize", 11), ("Pooling for Links", 15)]
    assert records[1].abstract == ABSTRACT_2


def test_glued_subscribe_is_split_from_the_first_title():
    text = ("Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
            "SubscribeCompeteSMoE -- Effective Training\n" + ABSTRACT_1 + "\nSecond Title\n" + ABSTRACT_2 + "\n")
    records, _ = parse(text)
    assert records[0].title == "CompeteSMoE -- Effective Training"
    assert records[1].title == "Second Title"


def test_alternating_titles_and_abstracts():
    records, shape = parse(f"Title One\n{ABSTRACT_1}\nTitle Two\n{ABSTRACT_2}\nTitle Three\n{ABSTRACT_3}")
    assert shape == "alternating titles and abstracts"
    assert [r.title for r in records] == ["Title One", "Title Two", "Title Three"]
    assert [r.line for r in records] == [1, 3, 5]


def test_abstract_only_file():
    records, shape = parse(f"{ABSTRACT_1}\n{ABSTRACT_2}\n{ABSTRACT_3}\n")
    assert shape == "one abstract per line"
    assert [r.title for r in records] == [None, None, None]
    assert [r.line for r in records] == [1, 2, 3]


def test_long_title_and_short_abstract_are_told_apart_by_structure():
    long_title = ("Testing the Depth of a Language Model's Comprehension via Cross-Modal Tasks Based on ASCII-Art: "
                  "Abilities in Regard to Recognizing and Producing ASCII-Art Are Not Totally Lacking After All")
    short_abstract = "We bound the excess risk of linear networks. The bound is tight."
    assert len(long_title) > 180 and len(short_abstract) < 200
    records, _ = parse(f"{long_title}\n{ABSTRACT_1}\nShort Title\n{short_abstract}\nThird\n{ABSTRACT_3}\n")
    assert [r.title for r in records] == [long_title, "Short Title", "Third"]
    assert records[1].abstract == short_abstract
    only, _ = parse(f"{short_abstract}\n{ABSTRACT_1}\n{ABSTRACT_2}\n")
    assert [r.title for r in only] == [None, None, None]


def test_crlf_bom_tabs_trailing_spaces_and_missing_final_newline():
    text = f"\ufeffTitle One  \r\n\r\n\r\n\t{ABSTRACT_1}\t\r\nTitle   Two\r\n{ABSTRACT_2}   "
    records, _ = parse_dump(text.encode("utf-8"), "crlf.txt")
    assert [r.title for r in records] == ["Title One", "Title Two"]
    assert records[0].abstract == ABSTRACT_1
    assert records[1].abstract == ABSTRACT_2


def test_utf16_with_bom_is_read():
    records, _ = parse_dump(f"Title One\n{ABSTRACT_1}\n".encode("utf-16"), "u16.txt")
    assert records[0].title == "Title One"


@pytest.mark.parametrize("data, reason", [
    (b"", "no paper records"),
    (b"\n\n  \n", "no paper records"),
    (b"new\nSubscribe\nMar 11\n", "no paper records"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("caf\u00e9 ol\u00e9\n".encode("latin-1"), "not UTF-8"),
    (b"alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\n", "matches no known dump shape"),
])
def test_unreadable_or_shapeless_files_are_rejected_with_the_reason(data, reason):
    with pytest.raises(InputError) as caught:
        parse_dump(data, "bad.txt")
    assert reason in str(caught.value)
    assert str(caught.value).startswith("bad.txt")


def test_seed_dumps_are_read_as_their_shapes():
    counts = {}
    for path in SEEDS:
        records, shape = parse_dump(path.read_bytes(), path.name)
        counts[path.name[:3]] = (shape, len(records), sum(1 for r in records if r.title))
    assert counts == {
        "000": ("one abstract per line", 11, 0),
        "001": ("listing page", 188, 188),
        "002": ("one abstract per line", 11, 0),
        "003": ("one abstract per line", 11, 0),
        "004": ("listing page", 61, 61),
    }


def test_seed_titles_are_titles():
    """Every record title in the seeds is a short line without a sentence break, never an abstract."""
    for path in SEEDS:
        for record in parse_dump(path.read_bytes(), path.name)[0]:
            assert record.abstract.endswith((".", ")", "!", "?")) or len(record.abstract) > 300, record
            if record.title:
                assert len(record.title) < 200 and not record.title.startswith("Subscribe")
