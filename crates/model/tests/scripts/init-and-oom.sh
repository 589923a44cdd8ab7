# Init containers run in order before the app, a sidecar (restartPolicy: Always) keeps running
# (K8S-FACTS §3.1, §3.4); a container over its memory limit is OOMKilled with exit code 137 and
# restarted with back-off (§10.3) — the Kubernetes docs' polinux/stress example.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: with-init
spec:
  initContainers:
  - name: wait-db
    image: busybox:1.36
    command: ["sh", "-c", "echo waiting for db; sleep 5"]
  - name: log-shipper
    image: busybox:1.36
    restartPolicy: Always
    command: ["sh", "-c", "tail -f /var/log/app.log"]
  containers:
  - name: app
    image: nginx:1.27
EOF
kubectl get pod with-init -w --request-timeout=12s
kubectl logs with-init -c wait-db
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: memory-demo
spec:
  containers:
  - name: memory-demo-ctr
    image: polinux/stress
    resources:
      requests: {memory: 50Mi}
      limits: {memory: 100Mi}
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]
EOF
kubectl get pod memory-demo -w --request-timeout=40s
kubectl describe pod memory-demo
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: throttled
spec:
  containers:
  - name: app
    image: postgres:16
    env:
    - {name: POSTGRES_PASSWORD, value: example}
    resources:
      limits: {cpu: 100m, memory: 512Mi}
EOF
kubectl get pod throttled -w --request-timeout=30s
kubectl logs throttled --timestamps
