from piccolo.conf.apps import AppRegistry

from models.database import build_engine
from service.settings import get_settings

DB = build_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["models.piccolo_app"])
