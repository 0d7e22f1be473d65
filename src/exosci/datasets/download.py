"""A resumable HTTP downloader for pooch: partial bytes wait outside the cache, never in place.

pooch calls the downloader with a temporary output file next to the final one, then checks
the hash and renames the temporary file into place only when it matches (and deletes it when
not). This downloader keeps the bytes received so far in ``<data dir>/.partial/<file>.part``;
a later call asks the server for the rest (HTTP ``Range``) and falls back to a full download
when the server ignores ranges. A transfer shorter than the announced length is an error, and
the finished ``.part`` file is moved into pooch's temporary file, so the final path only ever
holds a complete, verified file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import requests

CHUNK = 1 << 16


class DownloadError(OSError):
    """A transfer that failed or stopped early (the partial bytes are kept for resuming)."""


class ResumableDownloader:
    """``pooch`` downloader with resume; ``partial_dir`` holds unfinished transfers."""

    def __init__(self, partial_dir: Path, *, timeout: float = 60.0) -> None:
        self.partial_dir = Path(partial_dir)
        self.timeout = timeout
        self.resumed_from = 0  # bytes already present when the last call started

    def part_path(self, fname: str) -> Path:
        return self.partial_dir / f"{fname}.part"

    def __call__(self, url: str, output_file: Any, pooch: Any, check_only: bool = False) -> Any:
        if check_only:
            try:
                return requests.head(url, timeout=self.timeout, allow_redirects=True).ok
            except requests.RequestException:
                return False
        out = Path(output_file)
        # pooch's temporary file is named after the final one: <dir>/tmpXXXX; use the target
        part = self.part_path(getattr(self, "fname", out.name))
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            resp = requests.get(url, headers=headers, stream=True, timeout=self.timeout)
        except requests.RequestException as exc:
            raise DownloadError(f"{url}: {exc}") from None
        with resp:
            if resp.status_code == 416 and have:  # we already have every byte
                total, mode, have = have, "ab", have
            elif resp.status_code == 206 and have:
                total = have + int(resp.headers.get("Content-Length", "0") or 0)
                mode = "ab"
            elif resp.status_code == 200:
                have, mode = 0, "wb"
                total = int(resp.headers.get("Content-Length", "0") or 0)
            else:
                raise DownloadError(f"{url}: HTTP {resp.status_code} {resp.reason}")
            self.resumed_from = have
            got = have
            try:
                with part.open(mode) as fh:
                    if resp.status_code != 416:
                        for chunk in resp.iter_content(CHUNK):
                            fh.write(chunk)
                            got += len(chunk)
            except (requests.RequestException, OSError) as exc:
                raise DownloadError(
                    f"{url}: transfer stopped after {got} of {total or '?'} bytes ({exc}); "
                    "run the fetch again to resume"
                ) from None
        if total and got < total:
            raise DownloadError(
                f"{url}: transfer stopped after {got} of {total} bytes; run the fetch again to "
                "resume"
            )
        os.replace(part, out)
        return None
