# Stand-in for fluent/fluentd (the `log` service), used only when that image cannot be pulled:
# Debian has no fluentd package, so this is a collector of the same wire contract,
# standins/fluentd_forward.py on Debian's Python and msgpack. It listens for Fluentd's forward
# protocol on 24224 (what Docker's fluentd logging driver and the fluent loggers send) and prints
# each record as fluentd's stdout output would, after the same parsing docker/fluentd/fluent.conf
# asks for (a JSON `log` field is merged into the record). It does not read fluent.conf.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-minimal python3-msgpack \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* \
 && useradd --system --uid 999 --no-create-home --shell /usr/sbin/nologin fluent
COPY fluentd_forward.py /usr/local/bin/fluentd_forward.py
USER fluent
EXPOSE 24224
CMD ["python3", "-u", "/usr/local/bin/fluentd_forward.py"]
