# One image; the command chooses api (default), worker or migrate.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md piccolo_conf.py ./
COPY service ./service
COPY models ./models
COPY jobs ./jobs
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
    && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 probono
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
RUN mkdir -p /app/var && chown probono /app/var
USER probono
ENV PATH=/opt/venv/bin:$PATH \
    PICCOLO_CONF=piccolo_conf \
    HOST=0.0.0.0 \
    PORT=8000 \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/health')" || exit 1
# `serve` applies migrations, creates ADMIN_EMAIL's account, then runs uvicorn.
CMD ["probono", "serve"]
