# The course's manifests (web/workspaces/course/deploy/k8s): the image wallet-server:latest was
# never built or pulled anywhere, so the pull fails, as in the course's troubleshooting story.
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/configmap.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/secret.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/deployment.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/service.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/deployment.yaml
sleep 10s
kubectl get pods
kubectl get svc
kubectl get configmap wallet-config -o yaml
