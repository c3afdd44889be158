"""`litsite bundle`: the site as a zip that works unpacked and opened from file://."""
from __future__ import annotations

import os
import stat
import tempfile
import time
import zipfile
from pathlib import Path

from generator.build.lock import output_lock
from generator.build.pipeline import Built, build
from generator.console import say
from generator.content.config import SiteConfig
from generator.content.slugs import slugify
from generator.files import FILE_MODE, FOLDER_MODE, atomic_write_bytes
from generator.site import urls

# Pagefind needs a web server; offline readers get the script-loaded index instead.
LEFT_OUT = (urls.PAGEFIND + "/",)


def _entry(name: str, mode: int) -> zipfile.ZipInfo:
    """A zip entry readable by all when unpacked (unzip applies the stored Unix mode), dated
    SOURCE_DATE_EPOCH when set (reproducible zips), else now."""
    when = time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))
    info = zipfile.ZipInfo(name, date_time=tuple(when)[:6])  # type: ignore[arg-type]
    info.external_attr = (mode if mode & stat.S_IFDIR else mode | stat.S_IFREG) << 16
    if mode & stat.S_IFDIR:
        info.external_attr |= 0x10  # the MS-DOS folder flag
    info.create_system = 3  # Unix: unzip honours the mode bits
    return info


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
                    archive.writestr(_entry(f"{folder}/{rel}", FILE_MODE), path.read_bytes(), zipfile.ZIP_DEFLATED)
                    count += 1
                elif path.is_dir() and not (rel + "/").startswith(LEFT_OUT):
                    archive.writestr(_entry(f"{folder}/{rel}/", FOLDER_MODE | stat.S_IFDIR), b"")
        atomic_write_bytes(target, zip_file.read_bytes())
    return target, result, count
