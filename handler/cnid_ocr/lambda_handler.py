"""AWS Lambda entry point: Mangum around the app. Models and clients load once, at import (Lambda's init phase)."""

from mangum import Mangum

from .app import create_app
from .config import get_settings
from .services import build_services

handler = Mangum(create_app(build_services(get_settings())), lifespan="off")
