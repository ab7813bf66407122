# mockserver in a container: installed the way the README installs it, serving on 0.0.0.0.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY mockserver ./mockserver
COPY specs ./specs
RUN python3 -m venv .venv && .venv/bin/pip install -q -e .
EXPOSE 8080
# Inside a container the loopback address is unreachable from outside, so bind to all.
# MOCKSERVER_ARGS adds serve options where a command line cannot be given (CI service containers).
ENV MOCKSERVER_ARGS=""
CMD ["sh", "-c", "exec .venv/bin/mockserver serve --host 0.0.0.0 --port 8080 $MOCKSERVER_ARGS"]
