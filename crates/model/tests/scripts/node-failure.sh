# Self-healing after a node fails (K8S-FACTS §7): NotReady after the 50 s grace period, the
# unreachable taints, pods marked not ready (out of the Service), evicted after the default 300 s
# toleration, replacements scheduled elsewhere; the old pods stay Terminating until the node is
# back. Then kubectl drain.
kubectl create deployment web --image=nginx:1.27 --replicas=3
kubectl expose deployment web --port=80 --type=NodePort
kubectl rollout status deployment/web
kubectl get pods -o wide
node fail node-2
sleep 45s
kubectl get nodes
sleep 10s
kubectl get nodes

kubectl get pods -o wide
kubectl get endpointslices -l kubernetes.io/service-name=web
sleep 5m
kubectl get pods -o wide
kubectl get events --field-selector reason=TaintManagerEviction
node recover node-2
sleep 5s
kubectl get nodes
kubectl get pods -o wide
kubectl drain node-1 --ignore-daemonsets
kubectl get pods -o wide
kubectl get nodes
