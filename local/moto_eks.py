"""moto's EKS, completed where moto 5.2 falls short of EKS (shapes from botocore's EKS model).

- CreateCluster: EKS creates the cluster security group, `eks-cluster-sg-<name>-<id>`, in the
  cluster's VPC (the group it puts on Fargate pods) and describes it and the VPC in
  `resourcesVpcConfig` (`clusterSecurityGroupId`, `vpcId`); moto creates none and gives
  neither. DeleteCluster deletes the group, as EKS does.
- UpdateClusterConfig: EKS answers an `update` (moto: the cluster) and merges
  `resourcesVpcConfig` (moto replaces it, and the cluster loses its subnets).
- UpdateClusterVersion, DescribeUpdate and ListUpdates, which moto lacks.

Updates succeed at once, as every lifecycle of moto's does: UpdateClusterConfig answers
`InProgress` (EKS's answer always does), DescribeUpdate `Successful`, and the cluster stays
ACTIVE. The AWS model (local/aws-model/) gives them EKS's minutes of UPDATING.
"""

import json
import random
import time
import uuid

from moto.ec2.models import ec2_backends
from moto.eks import urls
from moto.eks.exceptions import InvalidParameterException, ResourceNotFoundException
from moto.eks.models import EKSBackend
from moto.eks.responses import EKSResponse

PLATFORM_VERSION = "eks.1"
ENDPOINT_ACCESS_FIELDS = {
    "endpointPublicAccess": "EndpointPublicAccess",
    "endpointPrivateAccess": "EndpointPrivateAccess",
    "publicAccessCidrs": "PublicAccessCidrs",
}
VPC_FIELDS = {"subnetIds": "Subnets", "securityGroupIds": "SecurityGroups"}


def param_value(value):
    """UpdateParam values are strings: JSON for lists and objects, `true`/`false` for booleans."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def cluster_of(backend, name):
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise ResourceNotFoundException(
            clusterName=name,
            nodegroupName=None,
            fargateProfileName=None,
            addonName=None,
            message=f"No cluster found for name: {name}.",
        )
    return cluster


def invalid(name, message):
    return InvalidParameterException(
        clusterName=name, nodegroupName=None, addonName=None, message=message
    )


def config_update(name, body):
    """The type and params of an UpdateClusterConfig: one kind of change per call, as EKS wants."""
    vpc = body.get("resourcesVpcConfig") or {}
    kinds = []
    if body.get("logging"):
        kinds.append(
            (
                "LoggingUpdate",
                [("ClusterLogging", body["logging"])],
                {"logging": body["logging"]},
            )
        )
    for fields, kind in (
        (ENDPOINT_ACCESS_FIELDS, "EndpointAccessUpdate"),
        (VPC_FIELDS, "VpcConfigUpdate"),
    ):
        changed = {field: vpc[field] for field in fields if field in vpc}
        if changed:
            params = [(fields[field], value) for field, value in changed.items()]
            kinds.append((kind, params, {"resourcesVpcConfig": changed}))
    others = sorted(set(body) - {"name", "logging", "resourcesVpcConfig", "clientRequestToken"})
    if others:
        raise invalid(
            name,
            "local mode emulates logging, endpoint access and VPC updates,"
            f" not {', '.join(others)}",
        )
    if len(kinds) != 1:
        raise invalid(name, "Only one type of update can be allowed.")
    return kinds[0]


def new_update(cluster, update_type, params):
    update = {
        "id": str(uuid.uuid4()),
        "status": "InProgress",
        "type": update_type,
        "params": [{"type": kind, "value": param_value(value)} for kind, value in params],
        "createdAt": time.time(),
        "errors": [],
    }
    cluster.local_updates = getattr(cluster, "local_updates", {})
    cluster.local_updates[update["id"]] = update
    return update


def update_answer(update):
    return 200, {"Content-Type": "application/json"}, json.dumps({"update": update})


def update_cluster_config(self):
    name = self._get_param("name")
    cluster = cluster_of(self.eks_backend, name)
    update_type, params, changes = config_update(name, json.loads(self.body or "{}"))
    if "logging" in changes:
        cluster.logging = changes["logging"]
    if "resourcesVpcConfig" in changes:
        cluster.resources_vpc_config = {
            **cluster.resources_vpc_config,
            **changes["resourcesVpcConfig"],
        }
    return update_answer(new_update(cluster, update_type, params))


def update_cluster_version(self):
    name = self._get_param("name")
    cluster = cluster_of(self.eks_backend, name)
    version = str(self._get_param("version") or "")
    major, _, minor = cluster.version.partition(".")
    if version != f"{major}.{int(minor) + 1}":
        raise invalid(
            name,
            f"Unsupported Kubernetes minor version update from {cluster.version} to {version}",
        )
    cluster.version = version
    params = [("Version", version), ("PlatformVersion", PLATFORM_VERSION)]
    return update_answer(new_update(cluster, "VersionUpdate", params))


def cluster_updates(self):
    cluster = cluster_of(self.eks_backend, self._get_param("name"))
    return getattr(cluster, "local_updates", {})


def describe_update(self):
    update_id = self._get_param("updateId")
    update = cluster_updates(self).get(update_id)
    if update is None:
        raise ResourceNotFoundException(
            clusterName=self._get_param("name"),
            nodegroupName=None,
            fargateProfileName=None,
            addonName=None,
            message=f"No update found for ID: {update_id}.",
        )
    return update_answer({**update, "status": "Successful"})


def list_updates(self):
    # Node group and add-on updates are not kept: only the cluster's own are listed.
    scoped = self._get_param("nodegroupName") or self._get_param("addonName")
    ids = [] if scoped else list(cluster_updates(self))
    return 200, {"Content-Type": "application/json"}, json.dumps({"updateIds": ids})


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
    """Patches moto's EKS before its server app is made (the routes are read then)."""
    urls.url_paths.update(
        {
            "{0}/clusters/(?P<name>[^/]+)/updates$": urls.response.dispatch,
            "{0}/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$": urls.response.dispatch,
        }
    )
    EKSResponse.update_cluster_config = update_cluster_config
    EKSResponse.update_cluster_version = update_cluster_version
    EKSResponse.describe_update = describe_update
    EKSResponse.list_updates = list_updates
    EKSBackend.create_cluster = with_cluster_security_group(EKSBackend.create_cluster)
    EKSBackend.delete_cluster = without_cluster_security_group(EKSBackend.delete_cluster)
