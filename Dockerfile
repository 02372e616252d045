# syntax=docker.io/docker/dockerfile:1
# sprintbot's container image: the `dist` binary (fat LTO, stripped) on a
# distroless base, running as non-root. Image names are fully qualified so
# podman (which has no default registry) pulls the same images as docker.
#
# Base images: pinned by exact version where one exists, not by digest. The
# digests could not be looked up where this file was written (no container
# registry is reachable there); the `image` job of .github/workflows/ci.yml
# prints the digest each name resolves to, to pin them with `@sha256:...`.

# Build stage: Rust 1.95.0, Cargo.toml's rust-version, on Debian 12.
FROM docker.io/library/rust:1.95.0-bookworm AS build
WORKDIR /src

# Dependencies first, against a dummy crate: this layer only changes when
# Cargo.toml or Cargo.lock does, so editing the bot's source rebuilds the bot
# and not its hundreds of dependencies.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --profile dist --locked \
    && rm -rf src

# The templates, sample configs and migrations are compiled in with
# include_str!, so config/ is needed here and not in the runtime image.
COPY config ./config
COPY src ./src
# COPY keeps the files' old mtimes, which can be older than the dummy build's
# outputs: touch them so cargo rebuilds the real crate.
RUN touch src/main.rs src/lib.rs \
    && cargo build --profile dist --locked \
    && mkdir /empty

# Runtime stage: distroless (glibc, CA certificates, no shell), non-root.
# Distroless publishes no version tags (only `latest`, `nonroot`, `debug`):
# the tag follows Debian 12's security updates until pinned by digest.
FROM gcr.io/distroless/cc-debian12:nonroot
# The database folder, owned by the user sprintbot runs as: WORKDIR alone
# would create it owned by root, and a new volume takes that owner, so the
# server could not create its SQLite file there.
COPY --from=build --chown=65532:65532 /empty /var/lib/sprintbot
WORKDIR /var/lib/sprintbot
COPY --from=build /src/target/dist/sprintbot /usr/local/bin/sprintbot
# Default config baked in; mount your own over /etc/sprintbot/sprintbot.toml.
COPY config/sprintbot.toml /etc/sprintbot/sprintbot.toml
ENV SPRINTBOT_CONFIG=/etc/sprintbot/sprintbot.toml \
    SPRINTBOT_DATABASE_URL=/var/lib/sprintbot/sprintbot.db \
    SPRINTBOT_LISTEN=0.0.0.0:3000
USER 65532:65532
EXPOSE 3000
VOLUME ["/var/lib/sprintbot"]
# No address: `healthcheck` probes the port of SPRINTBOT_LISTEN on 127.0.0.1,
# so `docker run -e SPRINTBOT_LISTEN=0.0.0.0:8080` stays healthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/sprintbot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/sprintbot"]
CMD ["serve"]
