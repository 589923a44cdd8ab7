# kubectl get -w prints a row per change while virtual time runs; in a script the watch ends
# after --request-timeout (default 60s) of virtual time.
kubectl create deployment web --image=nginx:1.27 --replicas=2
kubectl get pods -w --request-timeout=5s
kubectl delete pod -l app=web --wait=false
kubectl get pods -w --request-timeout=5s
kubectl get deploy,rs -o name
kubectl get pods -l app=web --show-labels
kubectl get ns
kubectl get svc -A
