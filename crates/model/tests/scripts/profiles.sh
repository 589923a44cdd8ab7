# A course author's own image: a BehaviourProfile file (docs/profiles.md) loaded with
# `profile apply`, a local build, and a readiness probe that follows the profile's start-up.
profile apply -f - <<EOF
apiVersion: kubeplay.dev/v1alpha1
kind: BehaviourProfile
metadata:
  name: my-api
spec:
  port: 8080
  listen: 3s
  http: {/healthz: 200}
  logs:
    start: ["booting my-api in {APP_ENV}"]
    ready: ["my-api ready"]
EOF
docker build -t my-api:v1 .
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
  - name: api
    image: my-api:v1
    imagePullPolicy: IfNotPresent
    env:
    - {name: APP_ENV, value: staging}
    readinessProbe:
      httpGet: {path: /healthz, port: 8080}
      periodSeconds: 2
EOF
kubectl get pod api -w --request-timeout=8s
kubectl logs api
profile list
profile apply -f - <<EOF
apiVersion: kubeplay.dev/v1alpha1
kind: BehaviourProfile
metadata:
  name: broken
spec:
  port: 8080
  lisen: 3s
EOF
