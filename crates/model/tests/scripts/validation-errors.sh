# Bad manifests: each error names the field as the API server does; nothing half-applies.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        imagePullPolice: Always
EOF
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: -1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
EOF
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: other}
    spec:
      containers:
      - name: web
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: nginx:1.27
    resources:
      requests:
        memory: 500mi
EOF
# A file whose second object is invalid: the first and third still apply, as with kubectl.
kubectl apply -f - <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: one
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: Two_Bad
---
apiVersion: v1
kind: Potato
metadata:
  name: spud
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: three
EOF
# A file that does not parse changes nothing.
kubectl apply -f - <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: four
data: {a: "1"
EOF
kubectl get configmaps
kubectl get deployments
kubectl apply -f - <<EOF
kind: ConfigMap
metadata:
  name: five
EOF
