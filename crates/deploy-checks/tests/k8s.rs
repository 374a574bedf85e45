//! The Kubernetes base and overlays under deploy/k8s build with kustomize and validate offline
//! (scripts/k8s_check.sh: generated files current, kubernetes-validate --strict), and the
//! security rules a cluster admission policy would enforce hold for every workload.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use serde_norway::Value;
use std::{fs, path::PathBuf, process::Command};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_kustomize_base_and_overlays_validate() {
    let output = Command::new("bash")
        .arg(root().join("scripts/k8s_check.sh"))
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "scripts/k8s_check.sh failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn workloads() -> Vec<(String, Value)> {
    let mut found = Vec::new();
    for entry in fs::read_dir(root().join("deploy/k8s/base")).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        for document in serde_norway::Deserializer::from_str(&text) {
            let value: Value = serde::Deserialize::deserialize(document).unwrap();
            let kind = value["kind"].as_str().unwrap_or_default().to_owned();
            if kind == "Deployment" || kind == "Job" {
                found.push((
                    value["metadata"]["name"].as_str().unwrap().to_owned(),
                    value,
                ));
            }
        }
    }
    found
}

#[test]
fn every_workload_runs_non_root_read_only_with_probes_and_limits() {
    let workloads = workloads();
    let services = fs::read_dir(root().join("services")).unwrap().count();
    assert_eq!(workloads.len(), services, "one workload per service");
    for (name, workload) in workloads {
        let pod = &workload["spec"]["template"]["spec"];
        assert_eq!(
            pod["securityContext"]["runAsNonRoot"],
            Value::Bool(true),
            "{name}"
        );
        let container = &pod["containers"][0];
        let security = &container["securityContext"];
        assert_eq!(
            security["readOnlyRootFilesystem"],
            Value::Bool(true),
            "{name}"
        );
        assert_eq!(
            security["allowPrivilegeEscalation"],
            Value::Bool(false),
            "{name}"
        );
        assert!(
            container["resources"]["limits"]["memory"].is_string(),
            "{name}"
        );
        assert!(
            container["resources"]["requests"]["cpu"].is_string(),
            "{name}"
        );
        if workload["kind"] == "Deployment" {
            for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
                assert!(
                    container[probe]["httpGet"]["path"].is_string(),
                    "{name} {probe}"
                );
            }
            assert_eq!(
                container["readinessProbe"]["httpGet"]["path"],
                Value::String("/health/ready".into()),
                "{name}"
            );
        }
    }
}
