"""Argument types and helpers several commands share."""
from __future__ import annotations

import argparse
import datetime as dt
import os

from generator.content.config import SiteConfig, load_config
from generator.content.load import load_valid_papers
from generator.content.paper import Paper


def csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2024-03-11") from None


def today() -> dt.date:
    # SOURCE_DATE_EPOCH makes imports reproducible (the reproducible-builds convention).
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def load_collection(args: argparse.Namespace) -> tuple[SiteConfig, list[Paper]]:
    """The site config and every paper; any invalid paper file stops the command."""
    config = load_config(args.root)
    return config, load_valid_papers(config.papers_dir, rules=config.read_rules)
