# Storage and config inside containers (issue: kubelet realism, item 7): a claim is provisioned
# by the default StorageClass; PostgreSQL's rows on it survive the pod being replaced, while
# rows on an emptyDir do not; env and files come from ConfigMaps and Secrets, decoded.
kubectl get storageclass
kubectl apply -f - <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: db
type: Opaque
data:
  POSTGRES_PASSWORD: c2VjcmV0
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: postgres-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: postgres
spec:
  replicas: 1
  selector:
    matchLabels: {app: postgres}
  template:
    metadata:
      labels: {app: postgres}
    spec:
      containers:
      - name: postgres
        image: postgres:16
        envFrom:
        - secretRef: {name: db}
        volumeMounts:
        - name: data
          mountPath: /var/lib/postgresql/data
        - name: secret
          mountPath: /etc/db
          readOnly: true
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: postgres-data
      - name: secret
        secret:
          secretName: db
EOF
kubectl get pvc
sleep 2s
kubectl get pvc,pv
kubectl rollout status deployment/postgres
kubectl get events --field-selector involvedObject.name=postgres-data
# Write three rows, then replace the pod: the new one mounts the same claim and finds them.
kubectl get pods -l app=postgres -o name
# Ready is not listening: postgres has no readiness probe and needs ~3 s to accept connections.
kubectl exec deploy/postgres -- psql -U postgres -c "CREATE TABLE wallets (id int)"
sleep 5s
kubectl exec deploy/postgres -- psql -U postgres -c "CREATE TABLE wallets (id int)"
kubectl exec deploy/postgres -- psql -U postgres -c "INSERT INTO wallets VALUES (1)"
kubectl exec deploy/postgres -- psql -U postgres -c "INSERT INTO wallets VALUES (2)"
kubectl exec deploy/postgres -- psql -U postgres -c "INSERT INTO wallets VALUES (3)"
kubectl delete pod -l app=postgres
kubectl rollout status deployment/postgres
sleep 5s
kubectl exec deploy/postgres -- psql -U postgres -c "SELECT count(*) FROM wallets"
kubectl logs deploy/postgres
kubectl exec deploy/postgres -- printenv POSTGRES_PASSWORD
kubectl exec deploy/postgres -- cat /etc/db/POSTGRES_PASSWORD
kubectl exec deploy/postgres -- ls /etc/db
kubectl exec deploy/postgres -- redis-cli ping
# The same on an emptyDir: the data goes with the pod.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scratch-db
spec:
  replicas: 1
  selector:
    matchLabels: {app: scratch-db}
  template:
    metadata:
      labels: {app: scratch-db}
    spec:
      containers:
      - name: postgres
        image: postgres:16
        env:
        - {name: POSTGRES_PASSWORD, value: example}
        volumeMounts:
        - {name: data, mountPath: /var/lib/postgresql/data}
      volumes:
      - name: data
        emptyDir: {}
EOF
kubectl rollout status deployment/scratch-db
sleep 5s
kubectl exec deploy/scratch-db -- psql -c "INSERT INTO wallets VALUES (1)"
kubectl delete pod -l app=scratch-db
kubectl rollout status deployment/scratch-db
sleep 5s
kubectl exec deploy/scratch-db -- psql -c "SELECT count(*) FROM wallets"
kubectl delete deployment postgres
kubectl delete pvc postgres-data
sleep 2s
kubectl get pv
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: needs-claim
spec:
  containers:
  - name: app
    image: nginx:1.27
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: nope}
EOF
sleep 2s
kubectl get events --field-selector involvedObject.name=needs-claim
