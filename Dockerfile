# The `erp` binary in a small image. Used by docker-compose.yml.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p api --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /data erp && mkdir -p /data && chown erp /data
COPY --from=build /src/target/release/erp /usr/local/bin/erp
USER erp
ENV ERP_DATA_DIR=/data ERP_BIND=0.0.0.0:8080
EXPOSE 8080
STOPSIGNAL SIGTERM
CMD ["erp", "serve"]
