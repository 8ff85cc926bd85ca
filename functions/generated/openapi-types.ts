// Generated from openapi.yaml by `npm run generate`. Do not edit.
export interface paths {
    "/volumes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List volumes, newest first
         * @description One page of the volumes the caller may see, newest first (ties on `createdAt` by `id`),
         *     filtered by cluster, namespace, status and health when they are given. Only the index
         *     partitions holding what the caller may see are read (a namespace its rules name, or a
         *     cluster whose namespaces are all its own), with at most 10 DynamoDB reads (Query calls)
         *     per page, each of at most `limit` + 2 volumes; more only while more volumes than that
         *     were created in the same millisecond.
         *
         *     So a page may hold fewer than `limit` volumes, or none, and still have a `nextToken`
         *     (filters or authorization kept few of the volumes read): follow `nextToken` until it is
         *     absent. The last page has none. Across pages no volume is skipped or returned twice.
         */
        get: operations["listVolumes"];
        put?: never;
        /**
         * Provision a volume
         * @description Validates the request, checks that the cluster exists and serves (ACTIVE or UPDATING; 503 while CREATING), that the namespace
         *     exists and has no claim of that name, and that the caller may use that cluster and
         *     namespace (ACCESS_POLICY). A volume on an existing file system (`fileSystemId`) also
         *     needs a rule that shares that file system with the caller, POSIX ids the rule grants,
         *     a `rootDirectory.path` under `/<clusterName>/<namespace>/`, and the tag
         *     `efs-volumes:shareable=true` on the file system. A file system this stack did not create
         *     must also have a file system policy that requires TLS and allows mounting and root
         *     access only through access points (problem type `shared-file-system-open`). Otherwise
         *     403 and nothing is created; a dry run answers the same. Its path must not overlap a
         *     directory another owner's volume used on that file system, live or deleted (409
         *     `path-in-use`, unless `reattach`). Records the volume as
         *     PENDING and starts the provisioning workflow. Poll
         *     `GET /volumes/{id}` until `READY`. With `"dryRun": true` nothing is created and the
         *     answer is the plan.
         *
         *     Quotas: a live volume (any status but DELETED and FAILED) counts against its cluster
         *     and namespace (`MAX_VOLUMES_PER_NAMESPACE`) and its caller (`MAX_VOLUMES_PER_CALLER`);
         *     a request over either is refused with 429 `quota-exceeded` before anything is created.
         *     A volume that creates its own mount targets is refused with 422 `subnet-address-reserve`
         *     when one would leave a cluster subnet with fewer free addresses than
         *     `SUBNET_ADDRESS_RESERVE`. The plan shows both (`quotas`).
         *
         *     Restore: with `restoreFrom` the new volume's file system is restored from a recovery
         *     point of another volume's file system (`GET /volumes/{id}/recovery-points`) by AWS
         *     Backup, into a new encrypted file system; its access point's root is the restored copy
         *     of that volume's directory (`/aws-backup-restore_<time>/<its path>`), with that
         *     volume's POSIX user. `recoveryPointArn` alone is enough for a recovery point in EFS's
         *     automatic backup vault (`aws/efs/automatic-backup-vault`) of a file system that still
         *     exists: its volume is the one the file system belongs to. Name the volume too
         *     (`volumeId`) for a recovery point in another vault or of a deleted file system. The
         *     caller must be allowed to read that volume (404 otherwise, as `GET /volumes/{id}`; with
         *     `recoveryPointArn` alone, also when the recovery point's file system is no volume's of
         *     this stack) and to create volumes in the target namespace; the volume must own its file
         *     system, one this stack created (409 `no-own-file-system`); the recovery point must be
         *     one of that file system's (422 `recovery-point-unknown`, or 422
         *     `recovery-point-mismatch` when it is another file system's than the `volumeId` named).
         *     A restore job that fails or is aborted rolls the volume back like any failed step.
         */
        post: operations["createVolume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/volumes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        /**
         * A volume's status, steps, resources and error
         * @description The volume record: its status, each workflow step with its start and end times and
         *     error, every resource id learnt so far, and what rollback or deletion left or kept.
         */
        get: operations["getVolume"];
        put?: never;
        post?: never;
        /**
         * Deprovision a volume
         * @description Only the volume's owner (the principal that created it), or a caller whose
         *     ACCESS_POLICY rule has `deleteOthers`, may delete it (403 otherwise; reading is open to
         *     the namespace). Refuses with 409 while a pod uses the claim, unless `force=true`. Deletes the claim,
         *     the PersistentVolume and the access point. The file system, its mount targets and
         *     security group are then kept whenever the file system still holds any other access
         *     point (another volume shares it: `retained` names those access points), or was not
         *     created by this service, or its creating volume asked for `reclaimPolicy: Retain`;
         *     otherwise they are deleted with the last access point on the file system. Status goes
         *     DELETING, then DELETED.
         */
        delete: operations["deleteVolume"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/volumes/{id}/check": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check a volume for drift now
         * @description Runs the health check the schedule runs, now, and records its outcome as the volume's
         *     `health`: the file system present and `available`, an `available` mount target in every
         *     zone the namespace's pods may run in, the access point present, the PersistentVolume and
         *     claim present, Bound to each other, with the recorded `volumeHandle`. Only a READY
         *     volume is checked (409 otherwise). Open to every caller who may read the volume.
         */
        post: operations["checkVolume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/volumes/{id}/manifests": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        /**
         * The Kubernetes manifests of a volume, for GitOps
         * @description The YAML that was applied (or, before the access point exists, would be, with placeholders).
         */
        get: operations["getVolumeManifests"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/volumes/{id}/recovery-points": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        /**
         * The recovery points of a volume's file system, newest first
         * @description AWS Backup's recovery points of the file system the volume created (its automatic
         *     daily backups, and any backup job's), newest first within a page, paged by
         *     `nextToken`: follow it until it is absent. They outlive the file system: a deleted
         *     volume's are listed too. Open to every caller who may read the volume (404 otherwise).
         *     A volume on a shared file system has none of its own: 409. Restore one with
         *     `POST /volumes` and `restoreFrom`.
         */
        get: operations["listRecoveryPoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/volumes/{id}/repair": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Repair a drifted volume
         * @description Re-creates what can be re-created without losing data or changing what pods mount: a
         *     missing mount target, and a missing or changed PersistentVolume or claim, with the same
         *     `volumeHandle`. It never replaces a deleted file system or access point: their data is
         *     gone, and a new one would be a new volume; then the answer is 422 with the findings, and
         *     nothing is touched. Checks the volume first (as POST /volumes/{id}/check does); only a
         *     READY volume is repaired (409 otherwise, and while a repair runs). The status is
         *     REPAIRING while the repair workflow runs, then READY again with the `health` the repair
         *     found at its end and the outcome in `repair`. Open to the callers who may create volumes
         *     in the namespace: a repair changes no data and puts back only what the volume had.
         */
        post: operations["repairVolume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @example vol-0123456789abcdef0123 */
        VolumeId: string;
        /** @enum {string} */
        VolumeStatus: "PENDING" | "PROVISIONING" | "READY" | "ROLLING_BACK" | "FAILED" | "ROLLBACK_FAILED" | "DELETING" | "DELETED" | "DELETE_FAILED" | "REPAIRING";
        /** @description An RFC 9457 problem details object. */
        Problem: {
            /**
             * @description A stable URI naming the kind of problem.
             * @example https://efs-volumes.dev/problems/invalid-request
             */
            type: string;
            title: string;
            status: number;
            detail?: string;
            instance?: string;
            /** @description Each field that is wrong, and how. */
            errors?: {
                field: string;
                message: string;
            }[];
            /** @description A refused repair (problem type volume-not-repairable): the findings that stop it. */
            findings?: components["schemas"]["HealthFinding"][];
            quota?: components["schemas"]["QuotaUsage"];
        };
        /** @description A limit on live volumes (every status but DELETED and FAILED) and its usage: per cluster and namespace (`subject` is `<cluster>/<namespace>`) or per caller (`subject` is the principal). */
        QuotaUsage: {
            /** @enum {string} */
            scope: "namespace" | "caller";
            subject: string;
            limit: number;
            usage: number;
        };
        StepRecord: {
            /** @enum {string} */
            status: "RUNNING" | "SUCCEEDED" | "FAILED";
            /** Format: date-time */
            startedAt: string;
            /** Format: date-time */
            endedAt?: string;
            error?: components["schemas"]["StepError"];
        };
        StepError: {
            name: string;
            message: string;
        };
        VolumeFailure: {
            /** @description The step that failed. */
            step: string;
            /** @description The error's name. */
            name: string;
            message: string;
        };
        /** @enum {string} */
        HealthState: "HEALTHY" | "DRIFTED";
        /** @description One way a READY volume no longer is what the service built. */
        HealthFinding: {
            /** @enum {string} */
            resource: "FileSystem" | "FileSystemPolicy" | "MountTarget" | "AccessPoint" | "PersistentVolume" | "PersistentVolumeClaim" | "Cluster";
            /** @description The resource's id or name (the zone of a missing mount target). */
            id: string;
            problem: string;
            /** @description Whether a repair can put it back without losing data. */
            repairable: boolean;
        };
        /**
         * @description What the last health check (scheduled, or POST /volumes/{id}/check) of a READY volume found.
         * @example {
         *       "state": "DRIFTED",
         *       "checkedAt": "2026-11-25T12:15:00.000Z",
         *       "findings": [
         *         {
         *           "resource": "PersistentVolumeClaim",
         *           "id": "team-a/shared-data",
         *           "problem": "PersistentVolumeClaim team-a/shared-data no longer exists",
         *           "repairable": true
         *         }
         *       ]
         *     }
         */
        VolumeHealth: {
            state: components["schemas"]["HealthState"];
            /** Format: date-time */
            checkedAt: string;
            findings: components["schemas"]["HealthFinding"][];
        };
        LeftoverResource: {
            /**
             * @example FileSystem
             * @example MountTarget
             * @example AccessPoint
             * @example SecurityGroup
             * @example PersistentVolume
             */
            type: string;
            id: string;
            /** @description In `leftovers`, set when the resource could not be checked (its description failed), so it may or may not still exist. In `retained`, why deletion kept it (the reclaim policy, or the other volumes' access points still on the file system). */
            reason?: string;
        };
        /** @description Every resource id the workflow created or adopted, as it learns them. */
        VolumeResources: {
            securityGroupId?: string;
            /** @description With namespace network isolation on, the security group the volume's namespace's pods carry and its mount targets admit NFS from. Shared by the namespace's volumes and kept when the volume is deleted. */
            clientSecurityGroupId?: string;
            fileSystemId?: string;
            fileSystemShared?: boolean;
            mountTargetIds?: string[];
            createdMountTargetIds?: string[];
            accessPointId?: string;
            persistentVolumeName?: string;
            persistentVolumeClaim?: {
                namespace: string;
                name: string;
            };
            storageClassName?: string;
            createdStorageClass?: boolean;
            createdCsiDriver?: boolean;
            /** @description With restoreFrom: AWS Backup's restore job. */
            restoreJobId?: string;
            /** @description With restoreFrom: the directory AWS Backup restored into, at the file system's root, as the FindRestoreDirectory step found it there (no AWS API returns its name); the access point's root is the source volume's path under it. */
            restoreDirectory?: string;
        };
        /** @description The request with every default filled in. */
        VolumeSpec: {
            clusterName: string;
            namespace: string;
            name: string;
            posixUser: {
                uid: number;
                gid: number;
                secondaryGids: number[];
            };
            rootDirectory: {
                path: string;
                permissions: string;
            };
            /** @enum {string} */
            performanceMode: "generalPurpose" | "maxIO";
            /** @enum {string} */
            throughputMode: "elastic" | "bursting" | "provisioned";
            provisionedThroughputInMibps?: number;
            capacity: string;
            /** @enum {string} */
            reclaimPolicy: "Retain" | "Delete";
            storageClassName: string;
            fileSystemId?: string;
            /** @description Set (true) when the request took over a path that deleted volumes of another owner used on the shared file system. */
            reattach?: boolean;
            /** @description Automatic backups of the created file system (absent with fileSystemId, and on volumes recorded before the field existed). */
            backup?: boolean;
            /** @description The recovery point the file system is restored from, of the volume and file system named. */
            restoreFrom?: {
                volumeId: string;
                recoveryPointArn: string;
                /** @description The file system the recovery point is of. */
                fileSystemId: string;
            };
            /** @description Set (true) when the volume is READY only after a Job mounted its claim (the request's `verifyMount`, or the stack's default). */
            verifyMount?: boolean;
            tags: {
                [key: string]: string;
            };
            dryRun: boolean;
        };
        /**
         * @example {
         *       "id": "vol-0123456789abcdef0123",
         *       "status": "READY",
         *       "clusterName": "demo",
         *       "namespace": "team-a",
         *       "name": "shared-data",
         *       "createdAt": "2026-11-25T12:00:00.000Z",
         *       "updatedAt": "2026-11-25T12:01:40.000Z",
         *       "spec": {
         *         "clusterName": "demo",
         *         "namespace": "team-a",
         *         "name": "shared-data",
         *         "posixUser": {
         *           "uid": 1000,
         *           "gid": 1000,
         *           "secondaryGids": []
         *         },
         *         "rootDirectory": {
         *           "path": "/team-a/shared-data",
         *           "permissions": "0750"
         *         },
         *         "performanceMode": "generalPurpose",
         *         "throughputMode": "elastic",
         *         "capacity": "5Gi",
         *         "reclaimPolicy": "Retain",
         *         "storageClassName": "efs-sc",
         *         "tags": {},
         *         "dryRun": false
         *       },
         *       "steps": {
         *         "ResolveCluster": {
         *           "status": "SUCCEEDED",
         *           "startedAt": "2026-11-25T12:00:00.100Z",
         *           "endedAt": "2026-11-25T12:00:00.300Z"
         *         }
         *       },
         *       "resources": {
         *         "fileSystemId": "fs-0123456789abcdef0",
         *         "accessPointId": "fsap-0123456789abcdef0"
         *       }
         *     }
         */
        Volume: {
            id: components["schemas"]["VolumeId"];
            status: components["schemas"]["VolumeStatus"];
            clusterName: string;
            namespace: string;
            name: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            executionName?: string;
            spec: components["schemas"]["VolumeSpec"];
            /** @description Each step of the workflow by name, with its times and error. */
            steps: {
                [key: string]: components["schemas"]["StepRecord"];
            };
            resources: components["schemas"]["VolumeResources"];
            fileSystemSource?: components["schemas"]["FileSystemSource"];
            error?: components["schemas"]["VolumeFailure"];
            rollbackError?: components["schemas"]["VolumeFailure"];
            /** @description What rollback or deletion could not delete (ROLLBACK_FAILED, DELETE_FAILED). */
            leftovers?: components["schemas"]["LeftoverResource"][];
            /** @description What deletion kept on purpose (a retained file system, or one other volumes still use), each with the reason on the file system. */
            retained?: components["schemas"]["LeftoverResource"][];
            warnings?: components["schemas"]["Warnings"];
            health?: components["schemas"]["VolumeHealth"];
            size?: components["schemas"]["VolumeSize"];
            repair?: components["schemas"]["VolumeRepair"];
        };
        /** @description The last repair (POST /volumes/{id}/repair) of the volume. */
        VolumeRepair: {
            /** @enum {string} */
            status: "RUNNING" | "SUCCEEDED" | "FAILED";
            /** Format: date-time */
            startedAt: string;
            /** Format: date-time */
            endedAt?: string;
            error?: components["schemas"]["VolumeFailure"];
        };
        VolumeList: {
            items: components["schemas"]["Volume"][];
            /** @description Pass as `nextToken` for the next page; absent on the last. A page may be short, or empty, and still have one: follow it until it is absent. */
            nextToken?: string;
        };
        RecoveryPoint: {
            recoveryPointArn: string;
            /** Format: date-time */
            createdAt: string;
            /** @description AWS Backup's status: COMPLETED, PARTIAL, DELETING, EXPIRED, AVAILABLE, STOPPED, CREATING. */
            status: string;
            backupVaultName?: string;
            backupSizeBytes?: number;
        };
        RecoveryPointList: {
            items: components["schemas"]["RecoveryPoint"][];
            /** @description Pass as `nextToken` for the next page; absent on the last. */
            nextToken?: string;
        };
        /** @description Restore the new volume's file system from a recovery point of another volume's file system (`GET /volumes/{id}/recovery-points`). The root directory, POSIX user and performance mode are then that volume's: not allowed with rootDirectory, posixUser, performanceMode, throughputMode, provisionedThroughputInMibps, backup or fileSystemId. */
        RestoreFrom: {
            /** @description The volume the recovery point was taken of. Optional for a recovery point in EFS's automatic backup vault (`aws/efs/automatic-backup-vault`) whose file system still exists: the service finds the volume from the recovery point (AWS Backup DescribeRecoveryPoint) and its file system's `efs-volumes:volume-id` tag. Required for a recovery point in another vault or of a deleted file system. When given, the recovery point must be of this volume's file system (422 `recovery-point-mismatch` when it is another's). */
            volumeId?: components["schemas"]["VolumeId"];
            recoveryPointArn: string;
        };
        /**
         * @description Where the volume's file system comes from: `new`, created for it; `pool`, taken ready from the cluster's warm pool (`WARM_POOL`), with its policy, security group and mount targets, so only the access point and the manifests are made; `shared`, the existing file system the request named (`fileSystemId`). Absent on volumes recorded before it was (they are `new` or `shared`).
         * @enum {string}
         */
        FileSystemSource: "new" | "pool" | "shared";
        /** @description The metered size of the file system the volume owns (EFS's `SizeInBytes`, which EFS refreshes about hourly), as the last health check read it; absent for a volume on a shared file system, whose size is not its own. */
        VolumeSize: {
            meteredBytes: number;
            /**
             * Format: date-time
             * @description When EFS measured it.
             */
            measuredAt: string;
            /** @description A month of storage at that size in EFS Standard, from the service's price table (absent in a Region the table lacks). */
            monthlyUsd?: number;
        };
        /** @description What the volume costs, in US dollars, from the service's dated price table (functions/lib/pricing/prices.ts; absent in a Region the table has no prices for). */
        VolumeCost: {
            region: string;
            /**
             * Format: date
             * @description The day the prices were read from AWS's pricing pages.
             */
            pricesReadOn: string;
            /** @description One provisioning run on the path the plan takes (Step Functions transitions and Lambda time, as the bench's AWS model measures them). */
            provisioningUsd: number;
            /** @description A month of the volume's resources holding no data (access points, security groups and mount targets are free). */
            monthlyAtZeroBytesUsd: number;
            /** @description Each GB stored for a month, in EFS Standard. */
            monthlyPerGbUsd: number;
            /** @description A restore's own charges (restores only). provisioningUsd counts the restore's steps at their fewest looks; a restore job takes minutes, each further look adds perRestoreJobLookUsd. */
            restore?: {
                /** @description AWS Backup's charge per GB restored from an EFS recovery point in warm storage. */
                perGbUsd: number;
                /** @description Each look past the first at the running restore job (every 30 s). */
                perRestoreJobLookUsd: number;
            };
        };
        /** @description What a request would create, without creating it. */
        VolumePlan: {
            /** @constant */
            dryRun: true;
            spec: components["schemas"]["VolumeSpec"];
            /** @description The path the request would take now: `pool` when the cluster's warm pool holds a member it matches (a request made later may find the pool empty and take `new`). */
            fileSystemSource: components["schemas"]["FileSystemSource"];
            /** @description With `pool`, the warm pool file system the request would take now. */
            poolFileSystemId?: string;
            cost?: components["schemas"]["VolumeCost"];
            aws: {
                type: string;
                /** @enum {string} */
                action: "create" | "reuse";
                properties: {
                    [key: string]: unknown;
                };
            }[];
            /** @description The Kubernetes YAML that would be applied, with placeholders for ids not known yet. */
            manifests: string;
            /** @description With `verifyMount`: the Job the VerifyMount step would run in the volume's namespace once the claim is Bound (READY only if it succeeds), then delete. */
            mountCheck?: {
                namespace: string;
                image: string;
                /** @description The Job's activeDeadlineSeconds. */
                timeoutSeconds: number;
                /** @description The Job's YAML. */
                job: string;
            };
            /** @description With `restoreFrom`: how the FindRestoreDirectory step finds the directory AWS Backup restored into (no AWS API returns its name), once the mount targets are ready and before the access point is created. A temporary access point (root `/`, a non-root user), a PersistentVolume and claim through it, and a Job in the volume's namespace whose pod mounts the restored root read-only and lists its `aws-backup-restore_*` directories; all deleted once it ends. Exactly one must be found, or the volume rolls back. */
            restoreListing?: {
                namespace: string;
                image: string;
                /** @description The Job's activeDeadlineSeconds. */
                timeoutSeconds: number;
                /** @description The temporary access point the listing mounts through. */
                accessPoint: {
                    rootDirectory: string;
                    posixUser: {
                        uid: number;
                        gid: number;
                    };
                };
                /** @description The listing's PersistentVolume and claim, as YAML, with placeholders for ids not known yet. */
                manifests: string;
                /** @description The Job's YAML. */
                job: string;
            };
            /** @description What the Fargate preflight found for the namespace. */
            fargate?: {
                /** @description The Fargate profiles that select the namespace (podLabels empty when they select every pod). */
                profiles: {
                    name: string;
                    podLabels: {
                        [key: string]: string;
                    };
                    subnetIds: string[];
                }[];
                /** @description Every zone a pod of the namespace may run in (the cluster's subnets and those of the selecting profiles). */
                availabilityZones: string[];
            };
            /** @description The limits the request counts against, with their usage now, and the free addresses of the subnets its new mount targets would take one each from. */
            quotas?: {
                volumes: components["schemas"]["QuotaUsage"][];
                /** @description Absent on a shared file system (no new mount target). */
                mountTargetSubnets?: {
                    subnetId: string;
                    availabilityZone: string;
                    availableAddresses: number;
                    reserve: number;
                }[];
            };
            warnings?: components["schemas"]["Warnings"];
        };
        /** @description What may keep pods from mounting the volume though provisioning succeeds (e.g. no Fargate profile selects the namespace). */
        Warnings: string[];
        /** @description What a caller asks for. Only clusterName, namespace and name are required. */
        VolumeRequest: {
            /**
             * @description The EKS cluster the volume is for.
             * @example demo
             */
            clusterName: string;
            namespace: components["schemas"]["DnsLabel"];
            name: components["schemas"]["DnsLabel"];
            posixUser?: components["schemas"]["PosixUser"];
            rootDirectory?: components["schemas"]["RootDirectory"];
            /**
             * @default generalPurpose
             * @enum {string}
             */
            performanceMode?: "generalPurpose" | "maxIO";
            /**
             * @default elastic
             * @enum {string}
             */
            throughputMode?: "elastic" | "bursting" | "provisioned";
            /** @description Required when throughputMode is provisioned, refused otherwise. */
            provisionedThroughputInMibps?: number;
            /**
             * @description The capacity written on the PersistentVolume and claim. EFS is elastic and does not enforce it, but Kubernetes requires one.
             * @default 5Gi
             */
            capacity?: string;
            /**
             * @description What happens to the PersistentVolume when its claim is deleted. Data in EFS is never deleted by Kubernetes.
             * @default Retain
             * @enum {string}
             */
            reclaimPolicy?: "Retain" | "Delete";
            storageClassName?: components["schemas"]["DnsSubdomain"];
            /** @description An existing EFS file system to add an access point to, instead of creating one. Its mount targets must already allow NFS from the cluster. The volume's `rootDirectory.path` must then lie under `/<clusterName>/<namespace>/` (the default is `/<clusterName>/<namespace>/<name>`), and must not be, contain or lie inside a path that a volume of another owner used on that file system, live or deleted (409 `path-in-use`), unless `reattach` is true and allowed. */
            fileSystemId?: string;
            /**
             * @description With `fileSystemId`: take over a path that deleted volumes of another owner used, and with it their data. Allowed only to a caller whose ACCESS_POLICY rule for the namespace has `deleteOthers: true`, and never for a path an access point still serves (a live volume's).
             * @default false
             */
            reattach?: boolean;
            /**
             * @description Turns on EFS automatic backups (AWS Backup, daily, 35 days) for the file system this service creates, so `reclaimPolicy: Delete` still leaves a recovery point. Not allowed with fileSystemId, whose backups are its owner's choice.
             * @default true
             */
            backup?: boolean;
            restoreFrom?: components["schemas"]["RestoreFrom"];
            /** @description READY only after a Kubernetes Job in the volume's namespace mounted the claim, wrote, read back and removed a probe file (the VerifyMount step, after the claim is Bound); if the pod cannot, the volume fails with what the pod reported (DNS, timeout, permission) and rolls back. Default: the stack's `verifyMount` setting (false unless configured). See docs/api.md: A mount proven before READY. */
            verifyMount?: boolean;
            /** @description Tags added to every AWS resource of the volume. */
            tags?: {
                [key: string]: string;
            };
            /**
             * @description When true, nothing is created; the answer is the plan.
             * @default false
             */
            dryRun?: boolean;
        };
        /** @description A DNS-1123 label, as Kubernetes requires for namespaces and used here for claim names. */
        DnsLabel: string;
        /** @description A DNS-1123 subdomain. */
        DnsSubdomain: string;
        /** @description The POSIX identity every file operation through the access point uses. uid and gid 0 are refused unless the service is configured to allow them. */
        PosixUser: {
            /** @default 1000 */
            uid: number;
            /** @default 1000 */
            gid: number;
            secondaryGids?: number[];
        };
        /** @description The directory the access point exposes as the volume's root, created on first use with this owner and mode. */
        RootDirectory: {
            /** @description An absolute, normalized path (no `.` or `..` segments, no `//`, no trailing `/`), not `/` itself. Default `/<namespace>/<name>`, or `/<clusterName>/<namespace>/<name>` with `fileSystemId`. */
            path?: string;
            /**
             * @description Octal mode of the root directory when it is created.
             * @default 0750
             */
            permissions?: string;
        };
    };
    responses: {
        /** @description The request is malformed (bad JSON, unknown field, wrong type, bad parameter). */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The caller may not use that cluster or namespace, may not delete another's volume, or may not share that file system (with those POSIX ids or that root directory); `detail` says which. Problem type shared-file-system-open: the shared file system is someone else's and its file system policy does not close it to anonymous clients (no policy, TLS not required, or ClientMount or ClientRootAccess allowed to everyone without an elasticfilesystem:AccessPointArn condition); `detail` lists each gap, and its owner must put a policy that closes it (docs/configuration.md, Shared file systems). */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such volume. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description With restoreFrom: no volume the caller may read is the restore's source (problem type volume-not-found, as GET /volumes/{id} answers). */
        RestoreSourceNotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The Idempotency-Key was used with another body, a claim of that name exists, a pod uses the claim, or (problem type path-in-use) the volume's directory on a shared file system overlaps one another owner's volume used. */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is over 16 KiB. */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is not application/json. */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The request is well-formed but cannot be done (unknown or inactive cluster, missing namespace, the cluster VPC's DNS support or DNS hostnames off: problem type vpc-dns-disabled, a subnet new mount targets would leave with fewer free addresses than the reserve: problem type subnet-address-reserve, or a restore's recovery point that is not one of its source's: problem types recovery-point-unknown and recovery-point-mismatch). */
        Unprocessable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Problem type quota-exceeded: the namespace or the caller has as many live volumes as its limit allows; `quota` names the limit and the usage. Nothing was created: delete a volume, or ask an operator to raise the limit. */
        QuotaExceeded: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description An unexpected error; nothing is lost, retry with the same Idempotency-Key. */
        InternalError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The cluster's Kubernetes API refused this service (its EKS access entry or RBAC is missing); an operator must grant it. */
        ClusterAccessDenied: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description A dependency is throttling or down; retry with the same Idempotency-Key. */
        Unavailable: {
            headers: {
                /** @description Seconds to wait before retrying. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: {
        /** @description The same key and body give the same volume; the same key with another body is a 409. */
        IdempotencyKey: string;
        VolumeId: components["schemas"]["VolumeId"];
    };
    requestBodies: never;
    headers: {
        /** @description The volume's URL. */
        VolumeLocation: string;
        /**
         * @description Sent while the volume's status is still changing (PENDING, PROVISIONING,
         *     ROLLING_BACK, DELETING, REPAIRING), never once it settled: the whole seconds to wait
         *     before the next GET /volumes/{id} (2 by default; 1 in local mode). Polling sooner
         *     gains nothing and costs a Lambda invocation and a DynamoDB read each time.
         */
        RetryAfter: number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listVolumes: {
        parameters: {
            query?: {
                clusterName?: string;
                namespace?: components["schemas"]["DnsLabel"];
                status?: components["schemas"]["VolumeStatus"];
                /** @description Only volumes whose last health check found this state (volumes never checked match neither). */
                health?: components["schemas"]["HealthState"];
                limit?: number;
                nextToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of volumes. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VolumeList"];
                };
            };
            400: components["responses"]["BadRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    createVolume: {
        parameters: {
            query?: never;
            header?: {
                /** @description The same key and body give the same volume; the same key with another body is a 409. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VolumeRequest"];
            };
        };
        responses: {
            /** @description The plan of a dry run; nothing was created. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VolumePlan"];
                };
            };
            /** @description Accepted; the volume is provisioning. */
            202: {
                headers: {
                    Location: components["headers"]["VolumeLocation"];
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Volume"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RestoreSourceNotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Unprocessable"];
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["ClusterAccessDenied"];
            503: components["responses"]["Unavailable"];
        };
    };
    getVolume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The volume. */
            200: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Volume"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteVolume: {
        parameters: {
            query?: {
                force?: boolean;
            };
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted; the volume is being deleted. */
            202: {
                headers: {
                    Location: components["headers"]["VolumeLocation"];
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Volume"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["ClusterAccessDenied"];
            503: components["responses"]["Unavailable"];
        };
    };
    checkVolume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The volume's health as the check just found it. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VolumeHealth"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["ClusterAccessDenied"];
            503: components["responses"]["Unavailable"];
        };
    };
    getVolumeManifests: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The manifests, as a multi-document YAML stream. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/yaml": string;
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalError"];
        };
    };
    listRecoveryPoints: {
        parameters: {
            query?: {
                limit?: number;
                nextToken?: string;
            };
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of recovery points. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecoveryPointList"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            500: components["responses"]["InternalError"];
        };
    };
    repairVolume: {
        parameters: {
            query?: {
                /** @description When true, the repair ends with the VerifyMount step: a Job mounts the claim, writes, reads back and removes a probe file; a mount that fails fails the repair (the volume stays READY, with the repair's error). */
                verifyMount?: boolean;
            };
            header?: never;
            path: {
                id: components["parameters"]["VolumeId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted; the volume is being repaired. */
            202: {
                headers: {
                    Location: components["headers"]["VolumeLocation"];
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Volume"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            422: components["responses"]["Unprocessable"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["ClusterAccessDenied"];
            503: components["responses"]["Unavailable"];
        };
    };
}
