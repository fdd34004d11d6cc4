# syntax=docker/dockerfile:1
# Abroad: a release build, then a slim runtime that runs as an unprivileged user.

FROM rust:1.95-bookworm AS build
WORKDIR /src
# libpq-dev (for diesel) is already in the rust image; the lock file pins every crate.
COPY Cargo.toml Cargo.lock ./
COPY crates crates
COPY migrations migrations
COPY data data
COPY tests tests
RUN cargo build --release --locked --bin abroad

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin abroad
COPY --from=build /src/target/release/abroad /usr/local/bin/abroad
USER abroad
ENV ABROAD_BIND=0.0.0.0:8080 \
    ABROAD_LOG_FORMAT=json \
    RUST_LOG=info
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/ready >/dev/null || exit 1
ENTRYPOINT ["abroad"]
# `serve` migrates before it listens; no key configured means it refuses to start.
CMD ["serve"]
