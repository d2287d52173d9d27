"""Chart settings read at start-up: where patient files live and how large they may be."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_FILE_MB = 10


@dataclass(frozen=True, slots=True)
class ClinicalSettings:
    files_dir: Path  # FRONTDESK_DATA_DIR/files; one folder per practice below it
    max_file_bytes: int = DEFAULT_MAX_FILE_MB * 1024 * 1024

    @classmethod
    def from_env(cls) -> ClinicalSettings:
        data = Path(os.environ.get("FRONTDESK_DATA_DIR") or Path.home() / ".frontdesk")
        raw = os.environ.get("FRONTDESK_MAX_FILE_MB")
        megabytes = float(raw) if raw else DEFAULT_MAX_FILE_MB
        return cls(files_dir=data / "files", max_file_bytes=int(megabytes * 1024 * 1024))
