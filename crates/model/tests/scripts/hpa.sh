# The course's "from 2 to 10 instances when traffic comes" (K8S-FACTS §9): an HPA on CPU
# utilisation, driven by the CPU each request costs (wallet-server: 20m per request), scales up
# at most max(2 x current, 4) per 15 s sync, and back down only after 5 minutes of lower
# recommendations.
docker build -t wallet-server:v1 .
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/configmap.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/secret.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/db-deployment.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/redis-deployment.yaml
kubectl rollout status deployment/postgres
sleep 5s
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wallet-server
spec:
  replicas: 2
  selector:
    matchLabels: {app: wallet-server}
  template:
    metadata:
      labels: {app: wallet-server}
    spec:
      containers:
      - name: wallet-server
        image: wallet-server:v1
        ports: [{containerPort: 8080}]
        envFrom: [{configMapRef: {name: wallet-config}}]
        resources:
          requests: {cpu: 100m, memory: 64Mi}
        readinessProbe:
          httpGet: {path: /health, port: 8080}
          periodSeconds: 2
---
apiVersion: v1
kind: Service
metadata:
  name: wallet-server
spec:
  type: NodePort
  selector: {app: wallet-server}
  ports:
  - {port: 80, targetPort: 8080, nodePort: 30080}
EOF
kubectl rollout status deployment/wallet-server
kubectl autoscale deployment wallet-server --cpu-percent=50 --min=2 --max=10
sleep 30s
kubectl get hpa
traffic start http://localhost:30080/health --rps 40
sleep 2m
kubectl get hpa
kubectl get deployment wallet-server
kubectl top pods -l app=wallet-server
traffic stop http://localhost:30080/health
sleep 4m
kubectl get hpa
sleep 2m
kubectl get hpa
kubectl get events --field-selector reason=SuccessfulRescale
kubectl describe hpa wallet-server
