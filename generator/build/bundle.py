"""`litsite bundle`: the site as a zip that works unpacked and opened from file://."""
from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from generator.build.lock import output_lock
from generator.build.pipeline import Built, build
from generator.console import say
from generator.content.config import SiteConfig
from generator.content.slugs import slugify
from generator.files import atomic_write_bytes
from generator.site import urls

# Pagefind needs a web server; offline readers get the script-loaded index instead.
LEFT_OUT = (urls.PAGEFIND + "/",)


def bundle_path(config: SiteConfig) -> Path:
    return config.root / "dist" / f"{slugify(config.title) or 'site'}-offline.zip"


def make_bundle(config: SiteConfig, wait: bool = False) -> tuple[Path, Built, int]:
    target = bundle_path(config)
    target.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(target, wait, say):
        return _make_bundle(config, target)


def _make_bundle(config: SiteConfig, target: Path) -> tuple[Path, Built, int]:
    # Staged inside dist/ so that litsite writes nowhere but content/, _site/ and dist/.
    with tempfile.TemporaryDirectory(prefix=".bundle-", dir=target.parent) as scratch:
        site = Path(scratch) / "site"
        result = build(config, output=site)
        zip_file = Path(scratch) / "bundle.zip"
        folder = target.stem
        count = 0
        with zipfile.ZipFile(zip_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(site.rglob("*")):
                rel = path.relative_to(site).as_posix()
                if path.is_file() and not rel.startswith(LEFT_OUT):
                    archive.write(path, f"{folder}/{rel}")
                    count += 1
        atomic_write_bytes(target, zip_file.read_bytes())
    return target, result, count
