//! The whole model: a fuzzed sequence of valid and invalid manifests and commands from a menu,
//! with fuzzed names, numbers and faults, each followed by some virtual time. Nothing may panic.
#![no_main]

use kubeplay_model::{Cluster, ClusterConfig, Workspace};
use libfuzzer_sys::fuzz_target;

const MANIFESTS: &[&str] = &[
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: NAME}\nspec:\n  replicas: NUM\n  selector: {matchLabels: {app: NAME}}\n  template:\n    metadata: {labels: {app: NAME}}\n    spec:\n      containers: [{name: c, image: IMAGE, resources: {requests: {cpu: CPUm, memory: MEMMi}, limits: {memory: LIMMi}}}]\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: NAME}\nspec:\n  type: TYPE\n  selector: {app: NAME}\n  ports: [{port: 80, targetPort: NUM}]\n",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: NAME}\nspec:\n  restartPolicy: POLICY\n  containers: [{name: c, image: IMAGE, readinessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: NUM}}]\n",
    "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: NAME}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: NAME}\n  minReplicas: NUM\n  maxReplicas: 9\n",
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: NAME}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: NUMGi}}}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME}\ndata: {K: \"V\"}\n",
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: NAME}\nspec:\n  rules: [{host: a.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: NAME, port: {number: 80}}}}]}}]\n",
    "kind: Deployment\nmetadata: {name: NAME\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: NAME}\nspec: {replicas: -NUM, selector: {}}\n",
    // Pods whose named port has another number, a Service with named and UDP targets, and a
    // Service without a selector with a hand-written EndpointSlice (kube-proxy reads slices).
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: NAME-p}\nspec:\n  replicas: NUM\n  selector: {matchLabels: {app: NAME}}\n  template:\n    metadata: {labels: {app: NAME}}\n    spec:\n      containers: [{name: c, image: IMAGE, ports: [{name: http, containerPort: 80NUM}]}]\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: NAME}\nspec:\n  selector: {app: NAME}\n  ports: [{name: h, port: 80, targetPort: http}, {name: u, port: 81, protocol: UDP, targetPort: http}]\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: NAME}\nspec:\n  ports: [{port: 80}]\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: NAME-NUM\n  labels: {kubernetes.io/service-name: NAME}\naddressType: IPv4\nendpoints: [{addresses: [10.244.1.NUM]}, {addresses: [10.244.2.2], conditions: {ready: false}}]\nports: [{name: '', port: 80}]\n",
];
const COMMANDS: &[&str] = &[
    "kubectl scale deployment NAME --replicas=NUM",
    "kubectl set image deployment/NAME c=IMAGE",
    "kubectl rollout undo deployment/NAME",
    "kubectl rollout restart deployment/NAME",
    "kubectl delete pod --all",
    "kubectl delete deployment NAME",
    "kubectl delete deployment NAME --cascade=orphan",
    "kubectl cordon node-NUM",
    "kubectl uncordon node-NUM",
    "kubectl drain node-NUM --ignore-daemonsets --delete-emptydir-data",
    "node fail node-NUM",
    "node partition node-NUM",
    "node recover node-NUM",
    "traffic start NAME --rps NUM",
    "traffic stop NAME",
    "kubectl expose deployment NAME --port 80",
    "kubectl autoscale deployment NAME --cpu-percent=NUM --max=9",
    "docker build -t IMAGE .",
    "docker tag IMAGE NAME:v2",
    "kubectl get all -A -o wide",
    "kubectl describe pods",
    "kubectl top pods",
    "kubectl logs deployment/NAME --previous",
    "kubectl exec deployment/NAME -- env",
    "proxy-mode ipvs",
];
const NAMES: &[&str] = &["web", "db", "wallet-server", "x"];
const IMAGES: &[&str] =
    &["nginx:1.27", "postgres:16", "redis:7", "wallet-server:v1", "busybox:1.36", "nope:0", "polinux/stress"];
const WORDS: &[&str] = &["ClusterIP", "NodePort", "LoadBalancer", "Always", "OnFailure", "Never"];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let mut c = Cluster::new(ClusterConfig { seed: u64::from(data[0]), nodes: 1 + usize::from(data[1] % 3) });
    for chunk in data[2..].chunks(4).take(24) {
        let [op, a, b, t] =
            [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0), *chunk.get(3).unwrap_or(&0)];
        let fill = |s: &str| {
            s.replace("NAME", NAMES[usize::from(a) % NAMES.len()])
                .replace("IMAGE", IMAGES[usize::from(b) % IMAGES.len()])
                .replace("TYPE", WORDS[usize::from(b) % 3])
                .replace("POLICY", WORDS[3 + usize::from(b) % 3])
                .replace("CPU", &(u32::from(b) * 20).to_string())
                .replace("MEM", &(u32::from(a) * 8).to_string())
                .replace("LIM", &(u32::from(b) * 4).to_string())
                .replace("NUM", &(b % 12).to_string())
        };
        if op % 2 == 0 {
            let ws = Workspace::default().with_file("m.yaml", &fill(MANIFESTS[usize::from(op / 2) % MANIFESTS.len()]));
            c.run("kubectl apply -f m.yaml", &ws);
        } else {
            c.run(&fill(COMMANDS[usize::from(op / 2) % COMMANDS.len()]), &Workspace::default());
        }
        c.advance(u64::from(t) * 500);
    }
});
