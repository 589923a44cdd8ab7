# args: --nodes 0
# PodTopologySpread: a DoNotSchedule constraint keeps zones within maxSkew; when no node can
# keep it, pods stay Pending with upstream's reason (K8S-FACTS §6.1, §6.7).
kubectl apply -f - <<EOF
apiVersion: v1
kind: Node
metadata:
  name: a1
  labels: {topology.kubernetes.io/zone: zone-a}
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
---
apiVersion: v1
kind: Node
metadata:
  name: a2
  labels: {topology.kubernetes.io/zone: zone-a}
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
---
apiVersion: v1
kind: Node
metadata:
  name: b1
  labels: {topology.kubernetes.io/zone: zone-b}
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
---
apiVersion: v1
kind: Node
metadata:
  name: nolabel
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
EOF
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: DoNotSchedule
        labelSelector:
          matchLabels: {app: web}
      containers:
      - name: web
        image: nginx:1.27
        resources:
          requests: {cpu: 100m}
EOF
kubectl rollout status deployment/web
kubectl get pods -o wide
kubectl cordon b1
kubectl scale deployment web --replicas=6
sleep 10s
kubectl get pods -o wide
kubectl get events --field-selector reason=FailedScheduling
kubectl uncordon b1
sleep 10s
kubectl get pods -o wide
