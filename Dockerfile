# syntax=docker/dockerfile:1
# AIA web/worker/beat image. Settings come from the environment (docs/configuration.md).

# GOV.UK Frontend's prebuilt assets come from npm (package-lock.json pins them): no Sass build.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint's native libraries (libharfbuzz-subset0 avoids its deprecation warning and halves
# write_pdf time) and fonts: DejaVu for the report's own text, Noto and WenQuanYi Micro Hei
# for the scripts DejaVu lacks (Burmese, Ethiopic, Chinese, Korean and more).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        fonts-noto-core fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 aia \
    && useradd --system --uid 1000 --gid aia --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin aia

WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code stays root-owned (read-only to the app); only var/ (media, beat schedule) is writable.
COPY . .
COPY --from=assets /build/node_modules/govuk-frontend/dist/govuk node_modules/govuk-frontend/dist/govuk
# The dummy values exist only for this command; they are not baked into the image's environment.
RUN DJANGO_SECRET_KEY=collectstatic-build-only \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    AIA_ALLOW_LOCAL_FILES=true \
    python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown -R aia:aia var

USER aia
EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
