"""moto's EKS, completed where moto 5.2 falls short of EKS (shapes from botocore's EKS model).

CreateCluster: EKS creates the cluster security group, `eks-cluster-sg-<name>-<id>`, in the
cluster's VPC (the group it puts on Fargate pods) and describes it and the VPC in
`resourcesVpcConfig` (`clusterSecurityGroupId`, `vpcId`); moto creates none and gives
neither. DeleteCluster deletes the group, as EKS does.
"""

import random

from moto.ec2.models import ec2_backends
from moto.eks.models import EKSBackend


def with_cluster_security_group(create_cluster):
    def create(self, *args, **kwargs):
        cluster = create_cluster(self, *args, **kwargs)
        config = cluster.resources_vpc_config or {}
        subnet_ids = config.get("subnetIds") or []
        if not subnet_ids:
            return cluster
        ec2 = ec2_backends[self.account_id][self.region_name]
        vpc_id = ec2.get_subnet(subnet_ids[0]).vpc_id
        group_name = f"eks-cluster-sg-{cluster.name}-{random.randrange(10**9, 10**10)}"
        group = ec2.create_security_group(
            name=group_name,
            description=(
                "EKS created security group applied to ENI that is attached to EKS Control"
                " Plane master nodes, as well as any managed workloads."
            ),
            vpc_id=vpc_id,
            tags={
                "Name": group_name,
                "aws:eks:cluster-name": cluster.name,
                f"kubernetes.io/cluster/{cluster.name}": "owned",
            },
        )
        cluster.resources_vpc_config = {
            **config,
            "vpcId": vpc_id,
            "clusterSecurityGroupId": group.id,
        }
        return cluster

    return create


def without_cluster_security_group(delete_cluster):
    def delete(self, name):
        cluster = delete_cluster(self, name)
        group_id = (cluster.resources_vpc_config or {}).get("clusterSecurityGroupId")
        if group_id:
            try:
                ec2 = ec2_backends[self.account_id][self.region_name]
                ec2.delete_security_group(group_id=group_id)
            except Exception:  # noqa: BLE001 - refused (in use): EC2 keeps a group in use
                pass
        return cluster

    return delete


def complete_moto_eks():
    """Patches moto's EKS before its server app is made."""
    EKSBackend.create_cluster = with_cluster_security_group(EKSBackend.create_cluster)
    EKSBackend.delete_cluster = without_cluster_security_group(EKSBackend.delete_cluster)
