"""moto's AWS Backup, completed with what the service's restore path calls (moto 5.2 has plans,
vaults and tags only; the answers' shapes are the SDK's: @aws-sdk/client-backup's model).

- StartBackupJob (PUT /backup-jobs): a recovery point of an EFS file system, COMPLETED at once,
  in the named vault (EFS's automatic-backup vault needs no CreateBackupVault: EFS makes it).
  It remembers what the model knows of the file system's data: the root directories of its
  access points, the directories a volume's pods wrote.
- DescribeBackupJob (GET /backup-jobs/{id}).
- ListRecoveryPointsByResource (GET /resources/{arn}/recovery-points): newest first, paged by
  MaxResults / NextToken.
- DescribeRecoveryPoint (GET /backup-vaults/{vault}/recovery-points/{arn}): a recovery point of
  that vault, with the resource it was taken of; ResourceNotFoundException (400) for a vault
  that holds none of that ARN, as AWS Backup answers (botocore's model: backup 2018-11-15).
- StartRestoreJob (PUT /restore-jobs): EFS metadata as AWS Backup documents it (newFileSystem,
  CreationToken, Encrypted, KmsKeyId, PerformanceMode; file-system-id). The IdempotencyToken
  returns the same job. The job takes a while: PENDING, then RUNNING, at the first two
  DescribeRestoreJob calls, COMPLETED at the third; the new file system (CreationToken from
  the metadata, no tags, backup off) appears at completion with the recovery point's
  directories under `/aws-backup-restore_<time>/`, as AWS Backup restores (the time: the job's
  completion, to the nanosecond, as AWS writes it now, its last digits random so that no API
  answer gives the name; the Kubernetes emulator's pods list it: local/efs-mounts.ts).
- DescribeRestoreJob (GET /restore-jobs/{id}).
- Failure injection: a recovery point tagged `local:restore-job-status` = FAILED or ABORTED
  (TagResource on its ARN) makes its restore jobs end so; a FAILED one has created its file
  system first (AWS leaves a partly restored file system), an ABORTED one none. One tagged
  `local:restore-directories` = N makes its restores put N directories `aws-backup-restore_*`
  at the new file system's root (AWS Backup makes one per restore; 0 or 2 model a file system
  the service must refuse to guess on).
"""

import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

from moto.backup import urls
from moto.backup.exceptions import InvalidParameterValueException, ResourceNotFoundException
from moto.backup.responses import BackupResponse
from moto.efs.models import efs_backends

EFS_AUTOMATIC_BACKUP_VAULT = "aws/efs/automatic-backup-vault"
FAILURE_TAG = "local:restore-job-status"
DIRECTORIES_TAG = "local:restore-directories"
# Describes a restore job answers before it is COMPLETED: PENDING, then RUNNING.
DESCRIBES_BEFORE_DONE = 2


def ResourceNotFound(message):
    return ResourceNotFoundException(message)


def InvalidParameterValue(message):
    return InvalidParameterValueException(message)


def now():
    return datetime.now(timezone.utc)


def restore_directory(completed):
    """`aws-backup-restore_` and the time, ':' and '.' as '-', to the nanosecond
    (2025-03-28T14-13-02-250589632Z): AWS's own form, and as in AWS no API returns it. The
    nanoseconds past the microsecond are random: DescribeRestoreJob's CompletionDate (to the
    millisecond in the SDK) never gives the name, so only a look at the file system finds it."""
    nanoseconds = completed.microsecond * 1000 + random.randrange(1, 1000)
    stamp = completed.strftime("%Y-%m-%dT%H-%M-%S-") + f"{nanoseconds:09d}Z"
    return f"/aws-backup-restore_{stamp}"


def state(backend):
    if not hasattr(backend, "local_recovery_points"):
        backend.local_recovery_points = {}
        backend.local_backup_jobs = {}
        backend.local_restore_jobs = {}
        backend.local_restore_tokens = {}
    return backend


def efs_of(backend):
    return efs_backends[backend.account_id][backend.region_name]


def file_system_id_of(resource_arn):
    if ":file-system/" not in resource_arn:
        raise InvalidParameterValue(f"Invalid resource ARN: {resource_arn}")
    return resource_arn.rsplit("/", 1)[1]


def json_answer(body):
    return 200, {"Content-Type": "application/json"}, json.dumps(body)


def start_backup_job(self):
    backend = state(self.backup_backend)
    params = json.loads(self.body or "{}")
    vault = params.get("BackupVaultName")
    resource_arn = params.get("ResourceArn", "")
    if vault != EFS_AUTOMATIC_BACKUP_VAULT and vault not in backend.vaults:
        raise ResourceNotFound(f"Backup vault {vault} does not exist.")
    efs = efs_of(backend)
    file_system_id = file_system_id_of(resource_arn)
    if file_system_id not in efs.file_systems_by_id:
        raise ResourceNotFound(f"Resource {resource_arn} does not exist.")
    created = now()
    point_arn = (
        f"arn:aws:backup:{backend.region_name}:{backend.account_id}:recovery-point:{uuid.uuid4()}"
    )
    directories = sorted(
        {
            point.root_directory.get("Path", "/")
            for point in efs.access_points.values()
            if point.file_system_id == file_system_id
        }
    )
    backend.local_recovery_points[point_arn] = {
        "RecoveryPointArn": point_arn,
        "CreationDate": created.timestamp(),
        "Status": "COMPLETED",
        "BackupVaultName": vault,
        "ResourceArn": resource_arn,
        "BackupSizeBytes": 6144,
        "directories": directories,
    }
    job_id = str(uuid.uuid4()).upper()
    backend.local_backup_jobs[job_id] = {
        "BackupJobId": job_id,
        "BackupVaultName": vault,
        "RecoveryPointArn": point_arn,
        "ResourceArn": resource_arn,
        "ResourceType": "EFS",
        "CreationDate": created.timestamp(),
        "CompletionDate": created.timestamp(),
        "State": "COMPLETED",
        "AccountId": backend.account_id,
    }
    return json_answer(
        {"BackupJobId": job_id, "RecoveryPointArn": point_arn, "CreationDate": created.timestamp()}
    )


def describe_backup_job(self):
    backend = state(self.backup_backend)
    job_id = unquote(self.path.rstrip("/").split("/")[-1])
    job = backend.local_backup_jobs.get(job_id)
    if job is None:
        raise ResourceNotFound(f"Backup job {job_id} does not exist.")
    return json_answer(job)


def list_recovery_points_by_resource(self):
    backend = state(self.backup_backend)
    resource_arn = unquote(self.path.split("/resources/", 1)[1].rsplit("/recovery-points", 1)[0])
    limit = int(self._get_param("maxResults") or 100)
    start = int(self._get_param("nextToken") or 0)
    points = sorted(
        (p for p in backend.local_recovery_points.values() if p["ResourceArn"] == resource_arn),
        key=lambda p: p["CreationDate"],
        reverse=True,
    )
    page = points[start : start + limit]
    body = {
        "RecoveryPoints": [
            {k: v for k, v in p.items() if k not in ("directories", "ResourceArn")} for p in page
        ]
    }
    if start + limit < len(points):
        body["NextToken"] = str(start + limit)
    return json_answer(body)


def describe_recovery_point(self):
    backend = state(self.backup_backend)
    path = self.path.split("?", 1)[0]
    vault_part, point_part = path.split("/backup-vaults/", 1)[1].rsplit("/recovery-points/", 1)
    vault, point_arn = unquote(vault_part), unquote(point_part)
    point = backend.local_recovery_points.get(point_arn)
    if point is None or point["BackupVaultName"] != vault:
        raise ResourceNotFound(f"Recovery point {point_arn} does not exist in vault {vault}.")
    vault_arn = f"arn:aws:backup:{backend.region_name}:{backend.account_id}:backup-vault:{vault}"
    return json_answer(
        {
            "RecoveryPointArn": point_arn,
            "BackupVaultName": vault,
            "BackupVaultArn": vault_arn,
            "ResourceArn": point["ResourceArn"],
            "ResourceType": "EFS",
            "Status": point["Status"],
            "CreationDate": point["CreationDate"],
            "CompletionDate": point["CreationDate"],
            "BackupSizeInBytes": point["BackupSizeBytes"],
            "IsEncrypted": True,
            "StorageClass": "WARM",
        }
    )


def start_restore_job(self):
    backend = state(self.backup_backend)
    params = json.loads(self.body or "{}")
    point_arn = params.get("RecoveryPointArn", "")
    token = params.get("IdempotencyToken")
    if token and token in backend.local_restore_tokens:
        return json_answer({"RestoreJobId": backend.local_restore_tokens[token]})
    point = backend.local_recovery_points.get(point_arn)
    if point is None:
        raise ResourceNotFound(f"Recovery point {point_arn} does not exist.")
    metadata = params.get("Metadata") or {}
    if str(metadata.get("newFileSystem", "")).lower() != "true":
        raise InvalidParameterValue("Only a restore to a new file system is modelled.")
    if not metadata.get("CreationToken"):
        raise InvalidParameterValue("CreationToken is required for a new file system.")
    if metadata.get("KmsKeyId") and str(metadata.get("Encrypted", "")).lower() != "true":
        raise InvalidParameterValue("Encrypted must be true when KmsKeyId is given.")
    point_tags = backend.tagger.get_tag_dict_for_resource(point_arn)
    outcome = point_tags.get(FAILURE_TAG, "COMPLETED")
    created = now()
    job_id = str(uuid.uuid4()).upper()
    backend.local_restore_jobs[job_id] = {
        "job": {
            "AccountId": backend.account_id,
            "RestoreJobId": job_id,
            "RecoveryPointArn": point_arn,
            "CreationDate": created.timestamp(),
            "Status": "PENDING",
            "IamRoleArn": params.get("IamRoleArn"),
            "ResourceType": "EFS",
        },
        "created": created,
        "metadata": metadata,
        "outcome": outcome,
        "describes": 0,
        "directories": point["directories"],
        "restore_directories": point_tags.get(DIRECTORIES_TAG, "1"),
    }
    if token:
        backend.local_restore_tokens[token] = job_id
    return json_answer({"RestoreJobId": job_id})


def restore_file_system(backend, entry, completed):
    metadata = entry["metadata"]
    efs = efs_of(backend)
    token = metadata["CreationToken"]
    existing = [fs for fs in efs.file_systems_by_id.values() if fs.creation_token == token]
    file_system = existing[0] if existing else None
    if file_system is None:
        file_system = efs.create_file_system(
            creation_token=token,
            performance_mode=metadata.get("PerformanceMode") or "generalPurpose",
            encrypted=str(metadata.get("Encrypted", "")).lower() == "true",
            kms_key_id=metadata.get("KmsKeyId"),
            throughput_mode="bursting",
            provisioned_throughput_in_mibps=0,
            availability_zone_name=None,
            backup=False,
            tags=[],
        )
    # AWS Backup restores into one new directory; a tagged recovery point's restores may make
    # none or several (fault injection), which the service must refuse rather than guess among.
    count = int(entry.get("restore_directories", 1))
    prefixes = [restore_directory(completed + timedelta(seconds=index)) for index in range(count)]
    file_system.local_directories = [
        prefix + path.rstrip("/") for prefix in prefixes for path in entry["directories"] or ["/"]
    ]
    return file_system


def describe_restore_job(self):
    backend = state(self.backup_backend)
    job_id = unquote(self.path.rstrip("/").split("/")[-1])
    entry = backend.local_restore_jobs.get(job_id)
    if entry is None:
        raise ResourceNotFound(f"Restore job {job_id} does not exist.")
    job = entry["job"]
    if job["Status"] in ("PENDING", "RUNNING"):
        entry["describes"] += 1
        if entry["describes"] < DESCRIBES_BEFORE_DONE:
            job["Status"] = "PENDING"
        elif entry["describes"] == DESCRIBES_BEFORE_DONE:
            job["Status"] = "RUNNING"
            job["PercentDone"] = "50.00%"
        else:
            outcome = entry["outcome"]
            completed = now()
            if outcome in ("COMPLETED", "FAILED"):
                file_system = restore_file_system(backend, entry, completed)
                job["CreatedResourceArn"] = file_system.file_system_arn
            job["Status"] = outcome if outcome in ("FAILED", "ABORTED") else "COMPLETED"
            if job["Status"] != "COMPLETED":
                job["StatusMessage"] = f"restore job {job['Status'].lower()} (injected)"
            job["CompletionDate"] = completed.timestamp()
            job["PercentDone"] = "100.00%"
    return json_answer(job)


def complete_moto_backup():
    """Patches moto's Backup before its server app is made (the routes are read then)."""
    urls.url_paths.update(
        {
            "{0}/backup-jobs/?$": urls.response.dispatch,
            "{0}/backup-jobs/(?P<job_id>[^/]+)$": urls.response.dispatch,
            "{0}/restore-jobs/?$": urls.response.dispatch,
            "{0}/restore-jobs/(?P<job_id>[^/]+)$": urls.response.dispatch,
            "{0}/resources/(?P<resource_arn>.+)/recovery-points/?$": urls.response.dispatch,
            "{0}/backup-vaults/(?P<name>.+)/recovery-points/(?P<arn>[^/]+)$": urls.response.dispatch,
        }
    )
    BackupResponse.start_backup_job = start_backup_job
    BackupResponse.describe_backup_job = describe_backup_job
    BackupResponse.list_recovery_points_by_resource = list_recovery_points_by_resource
    BackupResponse.describe_recovery_point = describe_recovery_point
    BackupResponse.start_restore_job = start_restore_job
    BackupResponse.describe_restore_job = describe_restore_job
