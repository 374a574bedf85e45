# Stand-in for rabbitmq:3-management, used only when that image cannot be pulled: Debian's
# RabbitMQ with the management plugin, guest allowed from other hosts (as in the official image),
# rabbitmq-diagnostics for the health check, data in /var/lib/rabbitmq.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends rabbitmq-server \
 && rm -rf /var/lib/apt/lists/* \
 && rabbitmq-plugins enable --offline rabbitmq_management \
 && printf 'loopback_users = none\nlisteners.tcp.default = 5672\n' > /etc/rabbitmq/rabbitmq.conf \
 && chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /etc/rabbitmq
USER rabbitmq
ENV HOME=/var/lib/rabbitmq
EXPOSE 5672 15672
CMD ["rabbitmq-server"]
