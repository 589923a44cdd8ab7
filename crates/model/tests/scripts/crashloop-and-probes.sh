# Restarts and probes: CrashLoopBackOff waits 10s, 20s, 40s, ... (K8S-FACTS §3.1); a liveness
# probe restarts a container that stops answering (§4.2); readiness gates Ready (§4.2);
# ErrImageNeverPull and CreateContainerConfigError (§3.2).
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo starting; sleep 1; exit 1"]
EOF
kubectl get pod crasher -w --request-timeout=3m
kubectl get pod crasher
kubectl logs crasher --previous
kubectl describe pod crasher
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    readinessProbe:
      httpGet: {path: /, port: 80}
    livenessProbe:
      httpGet: {path: /healthz, port: 80}
      periodSeconds: 5
EOF
kubectl get pod web -w --request-timeout=40s
kubectl get events --field-selector involvedObject.name=web
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: never
spec:
  containers:
  - name: app
    image: wallet-server:latest
    imagePullPolicy: Never
---
apiVersion: v1
kind: Pod
metadata:
  name: noconfig
spec:
  containers:
  - name: app
    image: nginx:1.27
    envFrom:
    - configMapRef: {name: missing-config}
EOF
sleep 5s
kubectl get pods never noconfig
kubectl get events --field-selector type=Warning,involvedObject.name=never
kubectl get events --field-selector type=Warning,involvedObject.name=noconfig
kubectl delete pod crasher web never noconfig
