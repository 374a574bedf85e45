# Stand-in for rust:<version>-slim-bookworm, used only when that image cannot be pulled: Debian
# plus this machine's own Rust toolchain (copied into the context as toolchain/) and its CA bundle
# (ca-certificates.crt), which HTTPS to the package registries needs on machines whose trust
# store holds an extra CA.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY ca-certificates.crt /usr/local/share/btc-ca-certificates.crt
COPY toolchain /usr/local/rust
ENV PATH=/usr/local/rust/bin:$PATH CARGO_HOME=/usr/local/cargo \
    SSL_CERT_FILE=/usr/local/share/btc-ca-certificates.crt \
    CARGO_HTTP_CAINFO=/usr/local/share/btc-ca-certificates.crt
