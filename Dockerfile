# syntax=docker/dockerfile:1
# 双包双联 contact service: gunicorn on a slim Python, as a non-root user.
# No CJK font is installed: the server renders no image or PDF with text of its own (printed
# cards and disclosures are HTML the browser draws; QR codes carry no text).
FROM python:3.12-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
# The wheel, as a county installs it (migrations, templates, the field client inside), then
# it and its dependencies into a prefix the runtime stage copies.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && pip install --no-cache-dir --prefix=/install /wheels/*.whl

FROM python:3.12-slim-bookworm
# gunicorn listens on 127.0.0.1 unless told otherwise; in the container it must take the
# reverse proxy's connections (compose.yaml's `proxy`), so every interface of the container,
# whose port is published to no one. Change BIND with PORT.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SERVICE_ENV=production \
    INSTANCE_DIR=/app/instance \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics \
    PORT=8000 \
    BIND=0.0.0.0:8000
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app
WORKDIR /app
COPY --from=build /install /usr/local
COPY docker-entrypoint.sh ./
RUN mkdir -p /app/instance /tmp/metrics && chown app:app /app/instance /tmp/metrics \
 && chmod 0755 docker-entrypoint.sh
USER 10001:10001
EXPOSE 8000
# Ready means the database answers (a container that cannot reach it is not healthy).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["./docker-entrypoint.sh"]
# Migrations and gunicorn settings ship inside the installed package.
CMD ["gunicorn", "--config", "python:service.gunicorn_conf", "service:create_app()"]
