# The production image: web (gunicorn), worker (rq worker) and scheduler (rq cron) all run from it.
FROM node:20-bookworm-slim AS assets
WORKDIR /src/webapp/assets
COPY webapp/assets/package.json webapp/assets/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv
RUN pip install --no-cache-dir uv==0.13.9 && useradd --create-home --uid 10001 learnloop
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY webapp webapp
COPY workers workers
COPY prompts prompts
RUN uv sync --locked --no-dev
COPY --from=assets /src/webapp/assets/node_modules/htmx.org/dist/htmx.min.js webapp/static/vendor/
COPY --from=assets /src/webapp/assets/node_modules/@picocss/pico/css/pico.min.css webapp/static/vendor/
COPY --from=assets /src/webapp/assets/node_modules/chart.js/dist/chart.umd.min.js webapp/static/vendor/
COPY --from=assets /src/webapp/assets/node_modules/lucide-static/icons webapp/assets/node_modules/lucide-static/icons
RUN /opt/venv/bin/python webapp/assets/build_icons.py webapp/static/vendor/icons.svg
ENV PATH=/opt/venv/bin:$PATH
USER learnloop
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "webapp:create_app()"]
