kubectl get pods -o wide
kubectl apply -f - <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: x}
EOF
echo "a b" | base64 -d
k describe deploy/web -l app=web
