"""gunicorn reads ./gunicorn.conf.py when started here; the settings ship inside the package
(service/gunicorn_conf.py), so an installed service uses `-c python:service.gunicorn_conf`."""

from service.gunicorn_conf import *  # noqa: F403
