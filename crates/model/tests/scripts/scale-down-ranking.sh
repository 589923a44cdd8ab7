# Scaling a Deployment of 250 down to 3 after a rolling update: the ReplicaSet controller ranks
# its pods for deletion (upstream's ActivePodsWithRanks with LogarithmicScaleDown, K8S-FACTS §2),
# a comparison that is not a total order. The standard library's sort panicked on it (found by
# review, issue #8); kubeplay's merge sort orders it. (The bare pod `a-first` matches the
# Service, not the ReplicaSet, whose selector includes pod-template-hash.)
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
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - {containerPort: 8080, name: http}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {port: 80, targetPort: http, name: h}
  - {port: 81, name: plain}
EOF
sleep 30s
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: a-first
  labels: {app: web}
spec:
  containers:
  - name: c
    image: nginx:1.27
EOF
kubectl set image deployment/web nginx=nginx:1.28
sleep 60s
kubectl scale deployment web --replicas=250
sleep 60s
kubectl scale deployment web --replicas=3
sleep 3s
kubectl get deployment web
