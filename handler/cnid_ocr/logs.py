"""Structured JSON logs. Only operational facts are logged: never an image, a name, a number or an address."""

from __future__ import annotations

import json
import logging
import sys

LOGGER_NAME = "cnid_ocr"

# LogRecord attributes that are plumbing, not content.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[0] is not None:
            # The exception's type and where it happened; its message could quote user data, so it is left out.
            entry["exception"] = record.exc_info[0].__name__
            entry["stack"] = self.formatStack(_frames(record.exc_info[2]))
        return json.dumps(entry, ensure_ascii=False, default=str)


def _frames(tb) -> str:
    import traceback

    return "".join(traceback.format_tb(tb))


def configure_logging(level: str = "INFO") -> None:
    """Idempotent: the Lambda runtime and uvicorn may both have installed handlers on the root logger."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level.upper())
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.propagate = False


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.{name}")
