# mockserver's production image, in two stages (README.md, "Docker"):
#   build: the package (not editable) and its runtime dependencies, at requirements.lock's
#          versions, in a virtualenv at /opt/mockserver;
#   final: the same Python image with that virtualenv and nothing else, run by a user that is not root.
# tests/e2e/test_image.py reads this file: it runs its entry script, CMD and HEALTHCHECK against
# the local install, and builds the image where docker or podman can.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
# strip: some wheels ship their debugging symbols (uvloop's are 12 MB)
RUN apt-get update && apt-get install -y --no-install-recommends binutils && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.lock ./
# The build backend comes from the lock too: the build is pinned, not only what it installs.
RUN python -m venv /opt/mockserver && /opt/mockserver/bin/pip install -c requirements.lock setuptools
COPY pyproject.toml README.md ./
COPY specs ./specs
COPY mockserver ./mockserver
# Not editable: the package is copied into the venv. Only its runtime dependencies come (the
# lock's test tools are constraints, not requirements), at the lock's versions; then pip and
# setuptools go, and no bytecode is kept yet.
RUN /opt/mockserver/bin/pip install --no-build-isolation --no-compile -c requirements.lock . \
 && /opt/mockserver/bin/pip uninstall -y setuptools pip \
 && find /opt/mockserver -name __pycache__ -prune -exec rm -rf {} + \
 && find /opt/mockserver -name '*.so' -exec strip --strip-unneeded {} +
# The image's `mockserver`: `serve` takes extra options from $MOCKSERVER_ARGS (a CI service
# container cannot be given a command line), then the command itself takes this process's place
# (PID 1: docker stop's SIGTERM reaches it). -P: the working directory never shadows a module.
RUN printf '%s\n' '#!/bin/sh' \
      'set -f' \
      'if [ "$1" = serve ]; then shift; set -- serve "$@" $MOCKSERVER_ARGS; fi' \
      'exec /opt/mockserver/bin/python -P -m mockserver "$@"' \
    > /opt/mockserver/bin/mockserver && chmod 755 /opt/mockserver/bin/mockserver
# Serve once: a smoke test of the install that also leaves bytecode for what serving loads (all of
# the venv's bytecode would add 40 MB to the image; none at all makes every start ~2 s slower).
RUN cd / ; /opt/mockserver/bin/mockserver serve --no-cpu-pin --quiet & server=$!; \
    timeout 120 sh -c 'until /opt/mockserver/bin/python -c "$0" 2>/dev/null; do sleep 0.5; done' \
      "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:8080/systeme/api/contacts', headers={'X-API-Key': 'demo'}), timeout=5)" \
    && kill $server && wait $server

FROM ${PYTHON_IMAGE}
RUN groupadd --gid 10001 mockserver \
 && useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin mockserver \
 && install -d -o mockserver -g mockserver /data
COPY --from=build /opt/mockserver /opt/mockserver
ENV PATH=/opt/mockserver/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# The user's own folder: where a relative --state-file lands (mount a volume there to keep it).
WORKDIR /data
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/__admin/health', timeout=4)"]
ENTRYPOINT ["mockserver"]
# Bound beyond loopback, the admin API wants a token: -e MOCKSERVER_ADMIN_TOKEN=..., else the
# server makes one and prints it at start (docker logs). /__admin/health stays open.
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
