# Services: ClusterIP, NodePort (30080 on every node), LoadBalancer and headless; EndpointSlices
# follow readiness (K8S-FACTS §5.3, §8.1-§8.3); kube-proxy picks a ready endpoint for each
# connection (iptables mode: at random, seeded).
kubectl create deployment web --image=nginx:1.27 --replicas=3
kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
    nodePort: 30080
---
apiVersion: v1
kind: Service
metadata:
  name: web-lb
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - port: 8080
    targetPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web-headless
spec:
  clusterIP: None
  selector: {app: web}
  ports:
  - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: clash
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 80
    nodePort: 30080
---
apiVersion: v1
kind: Service
metadata:
  name: out-of-range
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 80
    nodePort: 8080
---
# More than one port: each needs a name, and no two the same (validateServicePort).
apiVersion: v1
kind: Service
metadata:
  name: unnamed
spec:
  selector: {app: web}
  ports:
  - port: 80
  - {name: metrics, port: 81}
---
apiVersion: v1
kind: Service
metadata:
  name: twice
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80}
  - {name: http, port: 81}
EOF
kubectl get endpointslices
kubectl rollout status deployment/web
sleep 1s
kubectl get svc
kubectl get endpoints web
kubectl get endpointslices -l kubernetes.io/service-name=web
curl http://node-2:30080/
curl -i http://localhost:30080/nope
curl http://172.18.255.200:8080/index.html
curl http://node-1:30081/
kubectl exec deploy/web -- curl -s http://web-lb.default.svc.cluster.local:8080/
kubectl scale deployment web --replicas=0
sleep 2s
kubectl get endpointslices -l kubernetes.io/service-name=web
curl http://node-1:30080/
# kube-proxy in IPVS mode round-robins: three pods get equal shares.
kubectl scale deployment web --replicas=3
kubectl rollout status deployment/web
proxy-mode ipvs
traffic start http://node-1:30080/ --rps 30 --duration 10s
sleep 12s
traffic stats http://node-1:30080/
traffic log http://node-1:30080/ --tail 5
