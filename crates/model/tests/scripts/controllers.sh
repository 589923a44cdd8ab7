# Deployment features: Recreate, minReadySeconds, pause/resume, restart, progress deadline,
# cascading delete and --cascade=orphan (K8S-FACTS §1.5-§1.7, §2).
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
spec:
  replicas: 2
  strategy:
    type: Recreate
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: postgres
        image: postgres:16
EOF
kubectl rollout status deployment/db
kubectl set image deployment/db postgres=postgres:17
sleep 50ms
kubectl get pods
kubectl rollout status deployment/db
kubectl get rs
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: slow
spec:
  replicas: 2
  minReadySeconds: 20
  selector:
    matchLabels: {app: slow}
  template:
    metadata:
      labels: {app: slow}
    spec:
      containers:
      - name: web
        image: nginx:1.27
EOF
sleep 10s
kubectl get deployment slow
kubectl rollout status deployment/slow
kubectl rollout pause deployment/slow
kubectl set image deployment/slow web=nginx:1.28
sleep 10s
kubectl get rs -l app=slow
kubectl rollout resume deployment/slow
kubectl rollout status deployment/slow
kubectl rollout restart deployment/slow
kubectl rollout status deployment/slow
kubectl rollout history deployment/slow
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: stuck
spec:
  replicas: 1
  progressDeadlineSeconds: 30
  selector:
    matchLabels: {app: stuck}
  template:
    metadata:
      labels: {app: stuck}
    spec:
      containers:
      - name: app
        image: no-such-image:v9
EOF
kubectl rollout status deployment/stuck
kubectl get pods -l app=stuck
kubectl describe deployment stuck
kubectl delete deployment slow --cascade=orphan
kubectl get rs -l app=slow
kubectl delete deployment db
sleep 2s
kubectl get rs,pods -l app=db
kubectl get all
