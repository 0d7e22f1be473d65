"""A resumable HTTP downloader for pooch that never splices two versions of a file.

pooch calls the downloader with a temporary output file next to the final one, then checks
the hash and renames the temporary file into place only when it matches (and deletes it when
not). This downloader keeps the bytes received so far in ``<data dir>/.partial/<file>.part``
and, beside them, ``<file>.part.json``: the address and the server's validator of what those
bytes are a prefix of (a strong ``ETag``, else ``Last-Modified``) and the full length.

A later call resumes only when the server proves it still serves that same representation:
it asks for the rest with ``Range`` *and* ``If-Range: <validator>`` (RFC 9110 section 13.1.5);
a server whose file changed answers ``200`` with the whole new file, which replaces the old
prefix. Without a recorded validator, for another address, or when the ``206`` answer does
not continue exactly where the prefix ends (``Content-Range`` start and total length), the
prefix is discarded and the download starts from byte 0. A transfer shorter than the
announced length is an error, and the finished ``.part`` file is moved into pooch's temporary
file, so the final path only ever holds a complete file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import requests

CHUNK = 1 << 16
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


class DownloadError(OSError):
    """A transfer that failed or stopped early (the partial bytes are kept for resuming)."""


def _validator(headers: Any) -> dict[str, str]:
    """What identifies the representation being sent: a strong ETag and/or Last-Modified."""
    out = {}
    etag = headers.get("ETag")
    if etag and not etag.startswith("W/"):  # a weak ETag may not be used in If-Range
        out["etag"] = etag
    modified = headers.get("Last-Modified")
    if modified:
        out["last_modified"] = modified
    return out


class ResumableDownloader:
    """``pooch`` downloader with safe resume; ``partial_dir`` holds unfinished transfers."""

    def __init__(self, partial_dir: Path, *, timeout: float = 60.0) -> None:
        self.partial_dir = Path(partial_dir)
        self.timeout = timeout
        self.resumed_from = 0  # bytes kept from an earlier transfer when the last call ended
        self.restarted = ""  # why a kept prefix was discarded (empty: none was)

    def part_path(self, fname: str) -> Path:
        return self.partial_dir / f"{fname}.part"

    def _meta_path(self, part: Path) -> Path:
        return part.with_name(part.name + ".json")

    def discard(self, fname: str) -> None:
        """Forget an unfinished transfer (its bytes and what they were a prefix of)."""
        part = self.part_path(fname)
        part.unlink(missing_ok=True)
        self._meta_path(part).unlink(missing_ok=True)

    def _resume_headers(self, url: str, part: Path) -> dict[str, str]:
        """``Range`` + ``If-Range`` for a prefix the server can vouch for; else none (restart)."""
        have = part.stat().st_size if part.exists() else 0
        if not have:
            return {}
        try:
            meta = json.loads(self._meta_path(part).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = None
        if not isinstance(meta, dict) or meta.get("url") != url:
            self.restarted = "no record of what the kept bytes belong to"
        elif not (meta.get("etag") or meta.get("last_modified")):
            self.restarted = "the server gave no ETag or Last-Modified to resume against"
        else:
            return {
                "Range": f"bytes={have}-",
                "If-Range": str(meta.get("etag") or meta.get("last_modified")),
            }
        part.unlink()
        self._meta_path(part).unlink(missing_ok=True)
        return {}

    def _continues(self, resp: requests.Response, part: Path) -> bool:
        """Whether a 206 answer continues the kept prefix of the same, recorded representation."""
        have = part.stat().st_size
        m = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
        try:
            meta = json.loads(self._meta_path(part).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if m is None or int(m.group(1)) != have:
            return False
        total = None if m.group(3) == "*" else int(m.group(3))
        if total is not None and meta.get("total") and total != meta["total"]:
            return False
        sent = _validator(resp.headers)
        return all(sent.get(k) in (None, meta.get(k)) for k in ("etag", "last_modified"))

    def _request(self, url: str, headers: dict[str, str]) -> requests.Response:
        try:
            return requests.get(url, headers=headers, stream=True, timeout=self.timeout)
        except requests.RequestException as exc:
            raise DownloadError(f"{url}: {exc}") from None

    def __call__(self, url: str, output_file: Any, pooch: Any, check_only: bool = False) -> Any:
        if check_only:
            try:
                return requests.head(url, timeout=self.timeout, allow_redirects=True).ok
            except requests.RequestException:
                return False
        out = Path(output_file)
        # pooch's temporary file is named after the final one: <dir>/tmpXXXX; use the target
        part = self.part_path(getattr(self, "fname", out.name))
        meta_path = self._meta_path(part)
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        self.restarted = ""
        headers = self._resume_headers(url, part)
        resp = self._request(url, headers)
        if headers and resp.status_code == 206 and not self._continues(resp, part):
            resp.close()  # not provably the same file: start again from byte 0
            self.restarted = "the server's partial answer did not continue the kept bytes"
            self.discard(part.name.removesuffix(".part"))
            headers = {}
            resp = self._request(url, headers)
        with resp:
            have = part.stat().st_size if headers and part.exists() else 0
            if resp.status_code == 416 and have:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                if meta.get("total") != have:  # not "already complete": start over next time
                    self.discard(part.name.removesuffix(".part"))
                    raise DownloadError(
                        f"{url}: the server refused the resume; run the fetch again"
                    )
                total, mode = have, "ab"
            elif resp.status_code == 206 and have:
                total = have + int(resp.headers.get("Content-Length", "0") or 0)
                mode = "ab"
            elif resp.status_code == 200:
                if have:
                    self.restarted = "the file on the server changed (If-Range did not match)"
                have, mode = 0, "wb"
                total = int(resp.headers.get("Content-Length", "0") or 0)
                record = {"url": url, "total": total or None, **_validator(resp.headers)}
                meta_path.write_text(json.dumps(record), encoding="utf-8")
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
        meta_path.unlink(missing_ok=True)
        return None
