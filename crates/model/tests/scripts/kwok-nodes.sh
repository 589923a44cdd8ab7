# args: --nodes 0
# No default nodes: they come from Node manifests with their capacity, labels and taints, as
# KWOK does. Pods stay Pending until a node that fits appears (K8S-FACTS §6.1, §6.7).
kubectl create deployment web --image=nginx:1.27 --replicas=2
sleep 2s
kubectl get pods
kubectl get events --field-selector reason=FailedScheduling
kubectl apply -f - <<EOF
apiVersion: v1
kind: Node
metadata:
  name: control-plane
  labels:
    node-role.kubernetes.io/control-plane: ""
spec:
  taints:
  - key: node-role.kubernetes.io/control-plane
    effect: NoSchedule
status:
  capacity: {cpu: "2", memory: 4Gi, pods: "110"}
EOF
sleep 15s
kubectl get nodes
kubectl get events --field-selector reason=FailedScheduling
kubectl apply -f - <<EOF
apiVersion: v1
kind: Node
metadata:
  name: small
  labels:
    disktype: ssd
status:
  capacity: {cpu: "1", memory: 2Gi, pods: "1"}
---
apiVersion: v1
kind: Node
metadata:
  name: worker
status:
  capacity: {cpu: "8", memory: 16Gi, pods: "110"}
  allocatable: {cpu: 7500m, memory: 15Gi, pods: "110"}
EOF
sleep 10s
kubectl get nodes -o wide
kubectl get pods -o wide
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: wants-ssd
spec:
  nodeSelector:
    disktype: ssd
  containers:
  - name: c
    image: nginx:1.27
    resources:
      requests:
        cpu: 100m
EOF
sleep 10s
kubectl get pod wants-ssd -o wide
kubectl get events --field-selector involvedObject.name=wants-ssd
kubectl describe node worker
