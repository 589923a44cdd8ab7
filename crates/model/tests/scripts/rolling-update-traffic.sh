# The course's zero-downtime rolling update (SPEC scenario 5): with the readiness probe on
# /health, terminationGracePeriodSeconds 60 and wallet-server's graceful drain, no request fails
# while v1 is replaced by v2; the same update without probes drops requests (new pods get
# traffic before they listen and while they warm up).
docker build -t wallet-server:v1 .
docker build -t wallet-server:v2 .
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
  replicas: 3
  selector:
    matchLabels: {app: wallet-server}
  template:
    metadata:
      labels: {app: wallet-server}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
      - name: wallet-server
        image: wallet-server:v1
        ports: [{containerPort: 8080}]
        envFrom: [{configMapRef: {name: wallet-config}}]
        readinessProbe:
          httpGet: {path: /health, port: 8080}
          periodSeconds: 2
        livenessProbe:
          httpGet: {path: /health, port: 8080}
          initialDelaySeconds: 15
          periodSeconds: 20
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
traffic start http://localhost:30080/health --rps 50
sleep 10s
kubectl set image deployment/wallet-server wallet-server=wallet-server:v2
kubectl rollout status deployment/wallet-server
sleep 10s
traffic stop http://localhost:30080/health
traffic stats http://localhost:30080/health
# The same rollout without probes.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bare
spec:
  replicas: 3
  selector:
    matchLabels: {app: bare}
  template:
    metadata:
      labels: {app: bare}
    spec:
      containers:
      - name: wallet-server
        image: wallet-server:v1
        ports: [{containerPort: 8080}]
        envFrom: [{configMapRef: {name: wallet-config}}]
---
apiVersion: v1
kind: Service
metadata:
  name: bare
spec:
  type: NodePort
  selector: {app: bare}
  ports:
  - {port: 80, targetPort: 8080, nodePort: 30081}
EOF
kubectl rollout status deployment/bare
sleep 15s
traffic start http://localhost:30081/health --rps 50
sleep 10s
kubectl set image deployment/bare wallet-server=wallet-server:v2
kubectl rollout status deployment/bare
sleep 15s
traffic stop http://localhost:30081/health
traffic stats http://localhost:30081/health
