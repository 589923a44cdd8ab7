# The course's liveness story: a wallet-server that deadlocks 40 s after start (profile override
# by annotation) stops answering /health; the liveness probe fails 3 times and the kubelet
# restarts it, while readiness took it out of the Service's endpoints first (K8S-FACTS §4.2).
docker build -t wallet-server:v1 .
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/configmap.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/secret.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/db-deployment.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/redis-deployment.yaml
kubectl rollout status deployment/postgres
sleep 5s
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: stuck-wallet
  annotations:
    kubeplay.dev/deadlock-after: 40s
spec:
  containers:
  - name: wallet-server
    image: wallet-server:v1
    ports:
    - containerPort: 8080
    envFrom:
    - configMapRef: {name: wallet-config}
    livenessProbe:
      httpGet: {path: /health, port: 8080}
      initialDelaySeconds: 15
      periodSeconds: 20
    readinessProbe:
      httpGet: {path: /health, port: 8080}
      initialDelaySeconds: 5
      periodSeconds: 10
EOF
kubectl get pod stuck-wallet -w --request-timeout=140s
kubectl describe pod stuck-wallet
