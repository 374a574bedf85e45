#!/usr/bin/env python3
"""Writes the kustomize base in deploy/k8s/base/ from one table of services.

Every stateless service gets a Deployment (two replicas, startup/liveness/readiness probes on its
health routes, requests and limits, a non-root read-only security context, graceful termination),
a Service, a PodDisruptionBudget and an HPA on CPU; migration is a Job. Settings come from the
ConfigMap `btc-config` and the Secret `btc-secrets` (URLs with passwords, API key hashes).
Run it after changing the table; `scripts/k8s_check.sh` fails when the files are out of date.
Usage: deploy/k8s/generate.py [--check]
"""
import sys
from pathlib import Path

import yaml  # PyYAML, installed with kubernetes-validate by scripts/k8s_check.sh

BASE = Path(__file__).resolve().parent / "base"

# name: (HTTP port, extra container ports, autoscaled). The cache keeps its data in memory, so
# it runs as one replica and is scaled out behind twemproxy, not by an HPA (README).
SERVICES = {
    "btc-price": (8779, {}, True),
    "create-buy-order": (8777, {}, True),
    "fetch-buy-orders": (8778, {}, True),
    "read-model-sync": (8780, {}, True),
    "rate-cache": (8782, {}, True),
    "sequence": (8783, {}, True),
    "event-gateway": (8784, {}, True),
    "lru-cache-server": (8785, {"resp": 6380}, False),
    "console": (8786, {}, True),
}

POD_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "runAsGroup": 10001,
    "fsGroup": 10001,
    "seccompProfile": {"type": "RuntimeDefault"},
}
CONTAINER_SECURITY = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
ENV_FROM = [{"configMapRef": {"name": "btc-config"}}, {"secretRef": {"name": "btc-secrets"}}]


def labels(name):
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "btc-platform"}


def probe(path, period, failures):
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 2,
        "failureThreshold": failures,
    }


def container(name, port, extra_ports):
    ports = [{"name": "http", "containerPort": port}]
    ports += [{"name": k, "containerPort": v} for k, v in extra_ports.items()]
    return {
        "name": name,
        "image": f"btc/{name}:latest",
        "imagePullPolicy": "IfNotPresent",
        "envFrom": ENV_FROM,
        "env": [{"name": "HTTP_HOST", "value": "0.0.0.0"}, {"name": "HTTP_PORT", "value": str(port)}],
        "ports": ports,
        "startupProbe": probe("/health/live", 2, 30),
        "livenessProbe": probe("/health/live", 10, 3),
        "readinessProbe": probe("/health/ready", 5, 2),
        "resources": {
            "requests": {"cpu": "100m", "memory": "64Mi"},
            "limits": {"cpu": "1", "memory": "512Mi"},
        },
        "securityContext": CONTAINER_SECURITY,
        # Let endpoints drop the pod before SIGTERM starts the drain (the image has sleep).
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
    }


def deployment(name, port, extra_ports, autoscaled):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {
            "replicas": 2 if autoscaled else 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": labels(name)},
                "spec": {
                    "securityContext": POD_SECURITY,
                    "terminationGracePeriodSeconds": 30,
                    "automountServiceAccountToken": False,
                    "containers": [container(name, port, extra_ports)],
                },
            },
        },
    }


def service(name, port, extra_ports):
    ports = [{"name": "http", "port": port, "targetPort": "http"}]
    ports += [{"name": k, "port": v, "targetPort": k} for k, v in extra_ports.items()]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {"selector": {"app.kubernetes.io/name": name}, "ports": ports},
    }


def disruption_budget(name):
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}},
    }


def autoscaler(name):
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": 2,
            "maxReplicas": 6,
            "metrics": [{
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
            }],
        },
    }


def migration_job():
    spec = {
        "securityContext": POD_SECURITY,
        "restartPolicy": "OnFailure",
        "automountServiceAccountToken": False,
        "containers": [{
            "name": "migration",
            "image": "btc/migration:latest",
            "imagePullPolicy": "IfNotPresent",
            "envFrom": ENV_FROM,
            "resources": {
                "requests": {"cpu": "100m", "memory": "64Mi"},
                "limits": {"cpu": "1", "memory": "256Mi"},
            },
            "securityContext": CONTAINER_SECURITY,
        }],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "migration", "labels": labels("migration")},
        "spec": {"backoffLimit": 10, "template": {"metadata": {"labels": labels("migration")}, "spec": spec}},
    }


def config_map():
    data = {
        "LOG_FORMAT": "json",
        "RUST_LOG": "info",
        "BTC_PRICE_URL": "http://btc-price:8779",
        "COINBASE_API_URL": "https://api.coinbase.com",
        "KRAKEN_API_URL": "https://api.kraken.com",
        "ECB_RATES_URL": "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml",
        "CACHE_PORT": "6380",
        # The console's view of the services (their Service names).
        "CREATE_BUY_ORDER_URL": "http://create-buy-order:8777",
        "FETCH_BUY_ORDERS_URL": "http://fetch-buy-orders:8778",
        "READ_MODEL_SYNC_URL": "http://read-model-sync:8780",
        "RATE_CACHE_URL": "http://rate-cache:8782",
        "SEQUENCE_URL": "http://sequence:8783",
        "EVENT_GATEWAY_URL": "http://event-gateway:8784",
        "LRU_CACHE_SERVER_URL": "http://lru-cache-server:8785",
        "CACHE_RESP_ADDRESS": "lru-cache-server:6380",
    }
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "btc-config"}, "data": data}


def secret():
    # Placeholders: an overlay (or a secret manager) replaces them for a real deployment.
    pg = "postgres://postgres:change-me@postgres-write:5432"
    data = {
        "WRITE_DATABASE_URL": f"{pg}/btc_orders_write",
        "READ_DATABASE_URL": "postgres://postgres:change-me@postgres-read:5432/btc_orders_read",
        "SEQUENCE_DATABASE_URL": f"{pg}/sequence",
        "RATE_CACHE_DATABASE_URL": f"{pg}/rate_cache",
        "EVENT_GATEWAY_DATABASE_URL": f"{pg}/event_gateway",
        "AMQP_URL": "amqp://btc:change-me@rabbitmq:5672/%2f",
    }
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "btc-secrets"}, "type": "Opaque", "stringData": data}


class NoAliases(yaml.SafeDumper):
    """Writes shared dicts out in full each time (no `&id001` anchors)."""

    def ignore_aliases(self, data):
        return True


def documents():
    files = {"configmap.yaml": [config_map()], "secret.yaml": [secret()], "migration-job.yaml": [migration_job()]}
    for name, (port, extra, autoscaled) in SERVICES.items():
        docs = [deployment(name, port, extra, autoscaled), service(name, port, extra), disruption_budget(name)]
        if autoscaled:
            docs.append(autoscaler(name))
        files[f"{name}.yaml"] = docs
    header = "# Generated by deploy/k8s/generate.py: edit the generator, not this file.\n"
    out = {f: header + yaml.dump_all(docs, Dumper=NoAliases, sort_keys=False) for f, docs in files.items()}
    out["kustomization.yaml"] = header + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n" + "".join(
        f"  - {f}\n" for f in sorted(files)
    )
    return out


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, text in documents().items():
        path = BASE / name
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print("deploy/k8s/base is out of date (run deploy/k8s/generate.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
