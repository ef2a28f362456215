# The Evidence Explorer app (Streamlit) for docker-compose.yml; Neo4j runs in its own container.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    EVX_STORE=/data/store

RUN useradd --create-home --uid 10001 evx && mkdir -p /data && chown evx /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY loaders ./loaders
COPY ui ./ui
RUN pip install ".[neo4j]"

USER evx
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"
CMD ["evx", "app", "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true"]
