# Scheduling: requests must fit; Pending with upstream's FailedScheduling message; cordon;
# a pod fits again once room is made (K8S-FACTS §6).
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: big
spec:
  replicas: 4
  selector:
    matchLabels: {app: big}
  template:
    metadata:
      labels: {app: big}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        resources:
          requests:
            cpu: "3"
            memory: 1Gi
EOF
sleep 5s
kubectl get pods -o wide
kubectl get events --field-selector reason=FailedScheduling
kubectl describe pod big
kubectl cordon node-3
kubectl get nodes
kubectl scale deployment big --replicas=2
sleep 40s
kubectl get pods -o wide
kubectl uncordon node-3
kubectl scale deployment big --replicas=3
sleep 5s
kubectl get pods -o wide
kubectl delete deployment big
kubectl get pods
kubectl config get-contexts
kubectl config use-context docker-desktop
