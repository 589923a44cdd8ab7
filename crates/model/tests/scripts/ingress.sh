# Ingress host and path routing (K8S-FACTS §8.5): the longest matching path wins, Exact beats
# Prefix, a wildcard host matches one label, and anything else gets the default backend's 404.
profile apply -f - <<EOF
apiVersion: kubeplay.dev/v1alpha1
kind: BehaviourProfile
metadata:
  name: api-server
spec:
  port: 8080
  http: {/api/health: 200}
EOF
docker build -t api-server:v1 .
kubectl create deployment shop --image=nginx:1.27
kubectl create deployment api --image=api-server:v1
kubectl expose deployment shop --port=80
kubectl expose deployment api --port=80 --target-port=8080
kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: shop, port: {number: 80}}
      - path: /api
        pathType: Prefix
        backend:
          service: {name: api, port: {number: 80}}
  - host: "*.preview.example.com"
    http:
      paths:
      - path: /index.html
        pathType: Exact
        backend:
          service: {name: shop, port: {number: 80}}
EOF
kubectl rollout status deployment/shop
sleep 20s
kubectl get ingress
curl -i http://shop.example.com/index.html
curl -i -H "Host: shop.example.com" http://localhost/api/health
curl -i http://pr-7.preview.example.com/index.html
curl -i http://a.b.preview.example.com/index.html
curl -i http://localhost/
kubectl scale deployment api --replicas=0
sleep 5s
curl -i -H "Host: shop.example.com" http://localhost/api/health
