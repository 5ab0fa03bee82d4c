"""AWS Lambda entry point: Mangum around the app. Models and clients load once, at import (Lambda's init phase).

The request log lines carry CloudWatch Embedded Metric Format for this function (metrics.py); the Lambda runtime
sets AWS_LAMBDA_FUNCTION_NAME, the metrics' dimension.
"""

import os

from mangum import Mangum

from .app import create_app
from .config import get_settings
from .metrics import EmbeddedMetrics
from .services import build_services

handler = Mangum(
    create_app(
        build_services(get_settings()),
        metrics=EmbeddedMetrics(function_name=os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "cnid-ocr")),
    ),
    lifespan="off",
)
