"""A deterministic synthetic collection: N papers with realistic titles, 150-250 word abstracts,
tags and topics, written as content/papers/*.md into a fresh project folder.

    python tests/synth.py 10000 /tmp/synth10k

Shared by the tests and the benchmarks (bench/ imports it from here; tests never import bench/).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.content.frontmatter import render_paper_file  # noqa: E402
from generator.content.paper import Paper, Source  # noqa: E402

SUBJECTS = {
    "graph-learning": ["graph neural networks", "message passing", "node classification", "graph transformers",
                       "link prediction", "knowledge graphs", "network embedding", "random walks"],
    "computer-vision": ["monocular depth estimation", "semantic segmentation", "object detection",
                        "image classification", "video recognition", "super-resolution", "scene flow"],
    "architectures": ["residual networks", "vision transformers", "mixture of experts", "network depth",
                      "neural architecture search", "convolutional networks"],
    "efficient-deep-learning": ["network pruning", "quantization", "knowledge distillation", "low-rank adaptation",
                                "sparse training"],
    "deep-learning-theory": ["generalization bounds", "neural tangent kernels", "infinite-width limits",
                             "loss landscapes", "universal approximation"],
    "training-and-optimization": ["learning rate schedules", "batch normalization", "continual learning",
                                  "curriculum learning", "initialization"],
    "sequence-and-language-models": ["language models", "recurrent networks", "state-space models",
                                     "information retrieval", "recommender systems"],
    "reinforcement-learning": ["world models", "policy optimization", "model-based reinforcement learning"],
}
VERBS = ["Rethinking", "Scaling", "Understanding", "Towards Robust", "Efficient", "Learning", "Revisiting",
         "On the Limits of", "A Simple Baseline for", "Accelerating", "Benchmarking", "Interpreting"]
NOUNS = ["representations", "benchmarks", "objectives", "architectures", "regularizers", "datasets", "priors",
         "estimators", "attention maps", "feature hierarchies", "training dynamics", "inductive biases"]
FILLER = ("we propose a method that improves accuracy while reducing computation . our analysis shows that "
          "the approach generalizes across datasets and scales to large models . experiments on standard "
          "benchmarks demonstrate consistent gains over strong baselines . we further study the effect of "
          "depth width and data size and release code for reproducibility . the results suggest that simple "
          "changes to training can matter as much as new architectures . ablations confirm each component "
          "contributes to the final performance").split()
SYLLABLES = ("ka lo mi ne ra to su vi de pa ri co ba le nu ti ga ro fe si ma do pe lu ki "
             "an or el us in ex tr pl st gr br cl").split()


def _vocabulary(rng: random.Random, n: int) -> list[str]:
    """Made-up technical words, so the corpus has a realistic vocabulary size (tens of thousands)."""
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _zipf_pick(rng: random.Random, words: list[str]) -> str:
    return words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)]
TAGS = {s: s.replace(" ", "-").replace("-networks", "-network").rstrip("s")[:40] for v in SUBJECTS.values() for s in v}


def make_papers(n: int, seed: int = 7) -> list[Paper]:
    rng = random.Random(seed)
    topics = sorted(SUBJECTS)
    shared = _vocabulary(random.Random(1), 20_000)
    own = {t: rng.sample(shared, 3000) for t in topics}  # each field has its own jargon
    papers, taken = [], set()
    start = dt.date(2024, 1, 1)
    for i in range(n):
        topic = topics[i % len(topics)]
        subjects = rng.sample(SUBJECTS[topic], k=min(3, len(SUBJECTS[topic])))
        other = rng.choice(topics)
        title = f"{rng.choice(VERBS)} {subjects[0].title()} with {rng.choice(NOUNS).title()} {i}"
        words = []
        target = rng.randint(150, 250)
        while len(words) < target:
            roll = rng.random()
            words += [rng.choice(subjects)] if roll < 0.08 else [_zipf_pick(rng, own[topic])] if roll < 0.35 \
                else [rng.choice(shared)] if roll < 0.42 else [rng.choice(FILLER)]
        abstract = " ".join(words).replace(" .", ".").capitalize().rstrip(".") + "."
        slug = f"{subjects[0].replace(' ', '-')}-{i}"[:80]
        assert slug not in taken
        taken.add(slug)
        tags = sorted({TAGS[s] for s in subjects})[:4] + [f"{other}-method"][: rng.random() < 0.3]
        papers.append(Paper(slug=slug, title=title, abstract=abstract, title_source="dump",
                            tags=sorted(set(tags)), topics=[topic] if other == topic else [topic, other],
                            links={"code": f"https://github.com/example/{slug}"} if i % 3 == 0 else {},
                            sources=[Source("synthetic.txt", 2 * i + 1)],
                            added=start + dt.timedelta(days=i % 700)))
    return papers


def make_project(n: int, folder: Path, seed: int = 7) -> Path:
    """A project with the repo's templates, static files and site.yaml, and n synthetic papers."""
    if folder.exists():
        shutil.rmtree(folder)
    papers_dir = folder / "content" / "papers"
    papers_dir.mkdir(parents=True)
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, folder / name)
    for name in ("site.yaml", "tags.yaml"):
        shutil.copy(REPO / name, folder / name)
    shutil.copy(REPO / "content" / "index.md", folder / "content" / "index.md")
    for paper in make_papers(n, seed):
        (papers_dir / f"{paper.slug}.md").write_text(render_paper_file(paper), encoding="utf-8")
    return folder


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    make_project(args.count, args.folder, args.seed)
    print(f"wrote {args.count} papers into {args.folder}/content/papers")
