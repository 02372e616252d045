# syntax=docker/dockerfile:1
# Build stage: compile the release binary.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY config ./config
RUN cargo build --release --locked && strip target/release/sprintbot

# Runtime stage: distroless (glibc, CA certificates, no shell), non-root.
FROM gcr.io/distroless/cc-debian12:nonroot
WORKDIR /var/lib/sprintbot
COPY --from=build /src/target/release/sprintbot /usr/local/bin/sprintbot
# Default config baked in; mount your own over /etc/sprintbot/sprintbot.toml.
COPY config/sprintbot.toml /etc/sprintbot/sprintbot.toml
COPY config/templates /etc/sprintbot/templates
ENV SPRINTBOT_CONFIG=/etc/sprintbot/sprintbot.toml \
    SPRINTBOT_DATABASE_URL=/var/lib/sprintbot/sprintbot.db \
    SPRINTBOT_LISTEN=0.0.0.0:3000
USER 65532:65532
EXPOSE 3000
VOLUME ["/var/lib/sprintbot"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/sprintbot", "healthcheck", "--addr", "127.0.0.1:3000"]
ENTRYPOINT ["/usr/local/bin/sprintbot"]
CMD ["serve"]
