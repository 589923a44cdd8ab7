# The walking skeleton's slice: an nginx Deployment scheduled onto the default 3 nodes.
kubectl get nodes
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 500m
            memory: 128Mi
EOF
kubectl get pods
sleep 100ms
kubectl get pods -o wide
kubectl rollout status deployment/web
kubectl get deployments,replicasets
kubectl get pods -o wide
kubectl get events
