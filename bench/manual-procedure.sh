#!/usr/bin/env bash
# The manual procedure of the "EFS on EKS Fargate" walk-through (static provisioning), for one
# volume, as a careful operator would script it: aws CLI calls for the security group, the
# file system, a mount target per subnet and the access point, waiting for each as the
# walk-through does with describe loops, then `kubectl apply --server-side` of the CSIDriver,
# StorageClass, PersistentVolume and PersistentVolumeClaim, and a get loop until the claim is
# Bound. bench/peer.ts runs it against the same moto and Kubernetes emulator as the service.
#
# Needs: MOTO (endpoint URL), CLUSTER_NAME, NAMESPACE, VOLUME_NAME, KUBECONFIG, and the fake
# credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION.
# Prints `step <name>` as each step starts, so the caller can time them.
set -euo pipefail

aws_() { aws --endpoint-url "$MOTO" --output text "$@"; }
kubectl_() { kubectl --kubeconfig "$KUBECONFIG" "$@"; }

echo "step describe-cluster"
SUBNETS=$(aws_ eks describe-cluster --name "$CLUSTER_NAME" \
  --query 'cluster.resourcesVpcConfig.subnetIds')
# moto's DescribeCluster has no vpcId (real EKS has): the subnets name it.
VPC_ID=$(aws_ ec2 describe-subnets --subnet-ids $SUBNETS --query 'Subnets[0].VpcId')
CIDR_BLOCK=$(aws_ ec2 describe-vpcs --vpc-ids "$VPC_ID" --query 'Vpcs[0].CidrBlock')

echo "step security-group"
GROUP_ID=$(aws_ ec2 create-security-group --group-name "efs-$VOLUME_NAME" \
  --description "NFS for $VOLUME_NAME" --vpc-id "$VPC_ID" --query GroupId)
aws_ ec2 authorize-security-group-ingress --group-id "$GROUP_ID" --protocol tcp --port 2049 \
  --cidr "$CIDR_BLOCK" > /dev/null

echo "step file-system"
FILE_SYSTEM_ID=$(aws_ efs create-file-system --creation-token "$VOLUME_NAME" --encrypted \
  --performance-mode generalPurpose --throughput-mode elastic \
  --tags "Key=Name,Value=$VOLUME_NAME" --query FileSystemId)
for _ in $(seq 1 60); do
  STATE=$(aws_ efs describe-file-systems --file-system-id "$FILE_SYSTEM_ID" \
    --query 'FileSystems[0].LifeCycleState')
  [ "$STATE" = available ] && break
  sleep 1
done
[ "$STATE" = available ] || { echo "file system $FILE_SYSTEM_ID is $STATE" >&2; exit 1; }

echo "step mount-targets"
for SUBNET in $SUBNETS; do
  aws_ efs create-mount-target --file-system-id "$FILE_SYSTEM_ID" --subnet-id "$SUBNET" \
    --security-groups "$GROUP_ID" > /dev/null
done
for _ in $(seq 1 120); do
  PENDING=$(aws_ efs describe-mount-targets --file-system-id "$FILE_SYSTEM_ID" \
    --query "length(MountTargets[?LifeCycleState!='available'])")
  [ "$PENDING" = 0 ] && break
  sleep 5
done
[ "$PENDING" = 0 ] || { echo "mount targets of $FILE_SYSTEM_ID not available" >&2; exit 1; }

echo "step access-point"
ACCESS_POINT_ID=$(aws_ efs create-access-point --file-system-id "$FILE_SYSTEM_ID" \
  --posix-user Uid=1000,Gid=1000 \
  --root-directory "Path=/$NAMESPACE/$VOLUME_NAME,CreationInfo={OwnerUid=1000,OwnerGid=1000,Permissions=0750}" \
  --tags "Key=Name,Value=$VOLUME_NAME" --query AccessPointId)

echo "step kubectl-apply"
MANIFEST=$(mktemp)
trap 'rm -f "$MANIFEST"' EXIT
cat > "$MANIFEST" <<YAML
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata:
  name: efs.csi.aws.com
spec:
  attachRequired: false
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: efs-sc
provisioner: efs.csi.aws.com
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: efs-pv-$VOLUME_NAME
spec:
  capacity:
    storage: 5Gi
  volumeMode: Filesystem
  accessModes: [ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: efs-sc
  claimRef:
    namespace: $NAMESPACE
    name: $VOLUME_NAME
  csi:
    driver: efs.csi.aws.com
    volumeHandle: $FILE_SYSTEM_ID::$ACCESS_POINT_ID
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: $VOLUME_NAME
  namespace: $NAMESPACE
spec:
  accessModes: [ReadWriteMany]
  storageClassName: efs-sc
  volumeName: efs-pv-$VOLUME_NAME
  resources:
    requests:
      storage: 5Gi
YAML
kubectl_ apply --server-side --field-manager=manual-walkthrough -f "$MANIFEST" > /dev/null

echo "step claim-bound"
for _ in $(seq 1 60); do
  PHASE=$(kubectl_ get pvc "$VOLUME_NAME" -n "$NAMESPACE" -o 'jsonpath={.status.phase}')
  [ "$PHASE" = Bound ] && break
  sleep 1
done
[ "$PHASE" = Bound ] || { echo "claim $NAMESPACE/$VOLUME_NAME is $PHASE" >&2; exit 1; }
echo "step done"
