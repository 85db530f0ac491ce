# timeward in a container: the demo default works with
#   docker build -t timeward . && docker run --rm -p 8765:8765 timeward
# and the log prints the feed URL (replace 0.0.0.0 with the host's name). For a real
# calendar, mount a config and rules and point TIMEWARD_SOURCE__* at the calendar:
#   docker run -p 8765:8765 -v timeward-state:/var/lib/timeward \
#     -v $PWD/rules.toml:/app/config/rules.toml:ro -e TIMEWARD_RULES=config/rules.toml \
#     -e TIMEWARD_SOURCE__KIND=ics -e TIMEWARD_SOURCE__URL=https://…/basic.ics timeward

FROM rust:1-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so that a source change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
COPY crates/timeward-core/Cargo.toml crates/timeward-core/
RUN mkdir -p src benches crates/timeward-core/src && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs crates/timeward-core/src/lib.rs \
    && for b in decide slots cycle; do echo 'fn main() {}' > benches/$b.rs; done \
    && cargo build --release --locked && rm -rf src benches crates/timeward-core/src
COPY crates crates
COPY src src
COPY benches benches
COPY config config
RUN touch src/main.rs src/lib.rs crates/timeward-core/src/lib.rs \
    && cargo build --release --locked \
    && mkdir -p /state && chown 65532:65532 /state

# glibc and libgcc only; TLS roots are compiled in (webpki-roots), so no CA bundle.
FROM gcr.io/distroless/cc-debian12:nonroot
WORKDIR /app
COPY --from=build /src/target/release/timeward /usr/local/bin/timeward
COPY --from=build /src/config /app/config
COPY --from=build --chown=65532:65532 /state /var/lib/timeward
ENV TIMEWARD_LISTEN=0.0.0.0:8765 \
    TIMEWARD_STATE_DIR=/var/lib/timeward \
    RUST_LOG=info
VOLUME /var/lib/timeward
EXPOSE 8765
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/timeward"]
CMD ["run"]
