# The course's troubleshooting stories 2 and 3: the compose-built image name does not match the
# manifest's, and wallet-server crash-restarts until its database is up, then converges
# (K8S-FACTS §3.1-§3.4). Everything is applied at once, as in the course.
docker build -t wallet-core-wallet-server .
docker images
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/configmap.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/secret.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/deployment.yaml
sleep 15s
kubectl get pods
kubectl get events --field-selector reason=Failed
kubectl logs deployment/wallet-server
# The image exists locally under another name; tag it as the manifest expects.
docker tag wallet-core-wallet-server wallet-server:latest
docker images
sleep 10s
kubectl get pods
# The database and Redis arrive only now: wallet-server exits 1 until they answer.
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/db-deployment.yaml
kubectl apply -f ../../../../web/workspaces/course/deploy/k8s/redis-deployment.yaml
kubectl get pods -w --request-timeout=90s
kubectl get pods
kubectl logs deployment/wallet-server --previous
kubectl logs deployment/wallet-server
kubectl rollout status deployment/wallet-server
