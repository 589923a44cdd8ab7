# Rolling update v1 -> v2 with the default strategy (25%/25%: surge 1, unavailable 0 for 3
# replicas), history and undo (K8S-FACTS §1.2-§1.8).
kubectl create deployment web --image=nginx:1.26 --replicas=3
kubectl rollout status deployment/web
kubectl set image deployment/web nginx=nginx:1.27
kubectl rollout status deployment/web
kubectl get rs
kubectl rollout history deployment/web
kubectl rollout undo deployment/web
kubectl rollout status deployment/web
kubectl get rs
kubectl rollout history deployment/web
kubectl rollout undo deployment/web --to-revision=7
kubectl describe deployment web
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.26
EOF
kubectl scale deployment web --replicas=1
sleep 5s
kubectl get pods
kubectl get deploy web -o json
