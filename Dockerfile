# placeholder until the service issue lands
FROM debian:bookworm-slim
CMD ["true"]
