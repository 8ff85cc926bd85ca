// Generated from openapi.yaml by `npm run generate`. Do not edit.
export const openapiDocument = {
  "paths": {
    "/volumes": {
      "post": {
        "operationId": "createVolume",
        "summary": "Provision a volume",
        "description": "Validates the request, checks that the cluster exists and serves (ACTIVE or UPDATING; 503 while CREATING), that the namespace\nexists and has no claim of that name, and that the caller may use that cluster and\nnamespace (ACCESS_POLICY). A volume on an existing file system (`fileSystemId`) also\nneeds a rule that shares that file system with the caller, POSIX ids the rule grants,\na `rootDirectory.path` under `/<clusterName>/<namespace>/`, and the tag\n`efs-volumes:shareable=true` on the file system. A file system this stack did not create\nmust also have a file system policy that requires TLS and allows mounting and root\naccess only through access points (problem type `shared-file-system-open`). Otherwise\n403 and nothing is created; a dry run answers the same. Its path must not overlap a\ndirectory another owner's volume used on that file system, live or deleted (409\n`path-in-use`, unless `reattach`). Records the volume as\nPENDING and starts the provisioning workflow. Poll\n`GET /volumes/{id}` until `READY`. With `\"dryRun\": true` nothing is created and the\nanswer is the plan.\n\nQuotas: a live volume (any status but DELETED and FAILED) counts against its cluster\nand namespace (`MAX_VOLUMES_PER_NAMESPACE`) and its caller (`MAX_VOLUMES_PER_CALLER`);\na request over either is refused with 429 `quota-exceeded` before anything is created.\nA volume that creates its own mount targets is refused with 422 `subnet-address-reserve`\nwhen one would leave a cluster subnet with fewer free addresses than\n`SUBNET_ADDRESS_RESERVE`. The plan shows both (`quotas`).\n\nRestore: with `restoreFrom` the new volume's file system is restored from a recovery\npoint of another volume's file system (`GET /volumes/{id}/recovery-points`) by AWS\nBackup, into a new encrypted file system; its access point's root is the restored copy\nof that volume's directory (`/aws-backup-restore_<time>/<its path>`), with that\nvolume's POSIX user. `recoveryPointArn` alone is enough for a recovery point in EFS's\nautomatic backup vault (`aws/efs/automatic-backup-vault`) of a file system that still\nexists: its volume is the one the file system belongs to. Name the volume too\n(`volumeId`) for a recovery point in another vault or of a deleted file system. The\ncaller must be allowed to read that volume (404 otherwise, as `GET /volumes/{id}`; with\n`recoveryPointArn` alone, also when the recovery point's file system is no volume's of\nthis stack) and to create volumes in the target namespace; the volume must own its file\nsystem, one this stack created (409 `no-own-file-system`); the recovery point must be\none of that file system's (422 `recovery-point-unknown`, or 422\n`recovery-point-mismatch` when it is another file system's than the `volumeId` named).\nA restore job that fails or is aborted rolls the volume back like any failed step.\n",
        "parameters": [
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/VolumeRequest"
              },
              "examples": {
                "minimal": {
                  "value": {
                    "clusterName": "demo",
                    "namespace": "team-a",
                    "name": "shared-data"
                  }
                },
                "full": {
                  "value": {
                    "clusterName": "demo",
                    "namespace": "team-a",
                    "name": "shared-data",
                    "posixUser": {
                      "uid": 1000,
                      "gid": 1000
                    },
                    "rootDirectory": {
                      "path": "/team-a/shared-data",
                      "permissions": "0750"
                    },
                    "reclaimPolicy": "Delete",
                    "tags": {
                      "cost-center": "42"
                    },
                    "dryRun": false
                  }
                },
                "restore": {
                  "value": {
                    "clusterName": "demo",
                    "namespace": "team-a",
                    "name": "shared-data-restored",
                    "restoreFrom": {
                      "volumeId": "vol-0123456789abcdef0123",
                      "recoveryPointArn": "arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45"
                    }
                  }
                },
                "restoreByRecoveryPoint": {
                  "value": {
                    "clusterName": "demo",
                    "namespace": "team-a",
                    "name": "shared-data-restored",
                    "restoreFrom": {
                      "recoveryPointArn": "arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45"
                    }
                  }
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The plan of a dry run; nothing was created.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/VolumePlan"
                }
              }
            }
          },
          "202": {
            "description": "Accepted; the volume is provisioning.",
            "headers": {
              "Location": {
                "$ref": "#/components/headers/VolumeLocation"
              },
              "Retry-After": {
                "$ref": "#/components/headers/RetryAfter"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Volume"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/RestoreSourceNotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/Unprocessable"
          },
          "429": {
            "$ref": "#/components/responses/QuotaExceeded"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "502": {
            "$ref": "#/components/responses/ClusterAccessDenied"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "get": {
        "operationId": "listVolumes",
        "summary": "List volumes, newest first",
        "description": "One page of the volumes the caller may see, newest first (ties on `createdAt` by `id`),\nfiltered by cluster, namespace, status and health when they are given. Only the index\npartitions holding what the caller may see are read (a namespace its rules name, or a\ncluster whose namespaces are all its own), with at most 10 DynamoDB reads (Query calls)\nper page, each of at most `limit` + 2 volumes; more only while more volumes than that\nwere created in the same millisecond.\n\nSo a page may hold fewer than `limit` volumes, or none, and still have a `nextToken`\n(filters or authorization kept few of the volumes read): follow `nextToken` until it is\nabsent. The last page has none. Across pages no volume is skipped or returned twice.\n",
        "parameters": [
          {
            "name": "clusterName",
            "in": "query",
            "schema": {
              "type": "string",
              "pattern": "^[0-9A-Za-z][A-Za-z0-9_-]*$",
              "maxLength": 100
            }
          },
          {
            "name": "namespace",
            "in": "query",
            "schema": {
              "$ref": "#/components/schemas/DnsLabel"
            }
          },
          {
            "name": "status",
            "in": "query",
            "schema": {
              "$ref": "#/components/schemas/VolumeStatus"
            }
          },
          {
            "name": "health",
            "in": "query",
            "description": "Only volumes whose last health check found this state (volumes never checked match neither).",
            "schema": {
              "$ref": "#/components/schemas/HealthState"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 100,
              "default": 20
            }
          },
          {
            "name": "nextToken",
            "in": "query",
            "schema": {
              "type": "string",
              "maxLength": 2048,
              "pattern": "^[A-Za-z0-9_-]+$"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of volumes.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/VolumeList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          }
        }
      }
    },
    "/volumes/{id}": {
      "parameters": [
        {
          "$ref": "#/components/parameters/VolumeId"
        }
      ],
      "get": {
        "operationId": "getVolume",
        "summary": "A volume's status, steps, resources and error",
        "description": "The volume record: its status, each workflow step with its start and end times and\nerror, every resource id learnt so far, and what rollback or deletion left or kept.\n",
        "responses": {
          "200": {
            "description": "The volume.",
            "headers": {
              "Retry-After": {
                "$ref": "#/components/headers/RetryAfter"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Volume"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          }
        }
      },
      "delete": {
        "operationId": "deleteVolume",
        "summary": "Deprovision a volume",
        "description": "Only the volume's owner (the principal that created it), or a caller whose\nACCESS_POLICY rule has `deleteOthers`, may delete it (403 otherwise; reading is open to\nthe namespace). Refuses with 409 while a pod uses the claim, unless `force=true`. Deletes the claim,\nthe PersistentVolume and the access point. The file system, its mount targets and\nsecurity group are then kept whenever the file system still holds any other access\npoint (another volume shares it: `retained` names those access points), or was not\ncreated by this service, or its creating volume asked for `reclaimPolicy: Retain`;\notherwise they are deleted with the last access point on the file system. Status goes\nDELETING, then DELETED.\n",
        "parameters": [
          {
            "name": "force",
            "in": "query",
            "schema": {
              "type": "boolean",
              "default": false
            }
          }
        ],
        "responses": {
          "202": {
            "description": "Accepted; the volume is being deleted.",
            "headers": {
              "Location": {
                "$ref": "#/components/headers/VolumeLocation"
              },
              "Retry-After": {
                "$ref": "#/components/headers/RetryAfter"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Volume"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "502": {
            "$ref": "#/components/responses/ClusterAccessDenied"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/volumes/{id}/check": {
      "parameters": [
        {
          "$ref": "#/components/parameters/VolumeId"
        }
      ],
      "post": {
        "operationId": "checkVolume",
        "summary": "Check a volume for drift now",
        "description": "Runs the health check the schedule runs, now, and records its outcome as the volume's\n`health`: the file system present and `available`, an `available` mount target in every\nzone the namespace's pods may run in, the access point present, the PersistentVolume and\nclaim present, Bound to each other, with the recorded `volumeHandle`. Only a READY\nvolume is checked (409 otherwise). Open to every caller who may read the volume.\n",
        "responses": {
          "200": {
            "description": "The volume's health as the check just found it.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/VolumeHealth"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "502": {
            "$ref": "#/components/responses/ClusterAccessDenied"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/volumes/{id}/manifests": {
      "parameters": [
        {
          "$ref": "#/components/parameters/VolumeId"
        }
      ],
      "get": {
        "operationId": "getVolumeManifests",
        "summary": "The Kubernetes manifests of a volume, for GitOps",
        "description": "The YAML that was applied (or, before the access point exists, would be, with placeholders).",
        "responses": {
          "200": {
            "description": "The manifests, as a multi-document YAML stream.",
            "content": {
              "application/yaml": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          }
        }
      }
    },
    "/volumes/{id}/recovery-points": {
      "parameters": [
        {
          "$ref": "#/components/parameters/VolumeId"
        }
      ],
      "get": {
        "operationId": "listRecoveryPoints",
        "summary": "The recovery points of a volume's file system, newest first",
        "description": "AWS Backup's recovery points of the file system the volume created (its automatic\ndaily backups, and any backup job's), newest first within a page, paged by\n`nextToken`: follow it until it is absent. They outlive the file system: a deleted\nvolume's are listed too. Open to every caller who may read the volume (404 otherwise).\nA volume on a shared file system has none of its own: 409. Restore one with\n`POST /volumes` and `restoreFrom`.\n",
        "parameters": [
          {
            "name": "limit",
            "in": "query",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 100,
              "default": 20
            }
          },
          {
            "name": "nextToken",
            "in": "query",
            "schema": {
              "type": "string",
              "maxLength": 4096
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of recovery points.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RecoveryPointList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          }
        }
      }
    },
    "/volumes/{id}/repair": {
      "parameters": [
        {
          "$ref": "#/components/parameters/VolumeId"
        }
      ],
      "post": {
        "operationId": "repairVolume",
        "summary": "Repair a drifted volume",
        "parameters": [
          {
            "name": "verifyMount",
            "in": "query",
            "description": "When true, the repair ends with the VerifyMount step: a Job mounts the claim, writes, reads back and removes a probe file; a mount that fails fails the repair (the volume stays READY, with the repair's error).",
            "schema": {
              "type": "boolean",
              "default": false
            }
          }
        ],
        "description": "Re-creates what can be re-created without losing data or changing what pods mount: a\nmissing mount target, and a missing or changed PersistentVolume or claim, with the same\n`volumeHandle`. It never replaces a deleted file system or access point: their data is\ngone, and a new one would be a new volume; then the answer is 422 with the findings, and\nnothing is touched. Checks the volume first (as POST /volumes/{id}/check does); only a\nREADY volume is repaired (409 otherwise, and while a repair runs). The status is\nREPAIRING while the repair workflow runs, then READY again with the `health` the repair\nfound at its end and the outcome in `repair`. Open to the callers who may create volumes\nin the namespace: a repair changes no data and puts back only what the volume had.\n",
        "responses": {
          "202": {
            "description": "Accepted; the volume is being repaired.",
            "headers": {
              "Location": {
                "$ref": "#/components/headers/VolumeLocation"
              },
              "Retry-After": {
                "$ref": "#/components/headers/RetryAfter"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Volume"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "422": {
            "$ref": "#/components/responses/Unprocessable"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "502": {
            "$ref": "#/components/responses/ClusterAccessDenied"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "sigv4": {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "description": "AWS Signature Version 4 for the service `execute-api`, checked by API Gateway's IAM\nauthorization; the caller needs `execute-api:Invoke` on the method.\n",
        "x-amazon-apigateway-authtype": "awsSigv4"
      }
    },
    "headers": {
      "VolumeLocation": {
        "description": "The volume's URL.",
        "required": true,
        "schema": {
          "type": "string"
        }
      },
      "RetryAfter": {
        "description": "Sent while the volume's status is still changing (PENDING, PROVISIONING,\nROLLING_BACK, DELETING, REPAIRING), never once it settled: the whole seconds to wait\nbefore the next GET /volumes/{id} (2 by default; 1 in local mode). Polling sooner\ngains nothing and costs a Lambda invocation and a DynamoDB read each time.\n",
        "schema": {
          "type": "integer",
          "minimum": 1
        }
      }
    },
    "parameters": {
      "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "description": "The same key and body give the same volume; the same key with another body is a 409.",
        "schema": {
          "type": "string",
          "minLength": 1,
          "maxLength": 128,
          "pattern": "^[A-Za-z0-9_.:-]+$"
        }
      },
      "VolumeId": {
        "name": "id",
        "in": "path",
        "required": true,
        "schema": {
          "$ref": "#/components/schemas/VolumeId"
        }
      }
    },
    "responses": {
      "BadRequest": {
        "description": "The request is malformed (bad JSON, unknown field, wrong type, bad parameter).",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "Forbidden": {
        "description": "The caller may not use that cluster or namespace, may not delete another's volume, or may not share that file system (with those POSIX ids or that root directory); `detail` says which. Problem type shared-file-system-open: the shared file system is someone else's and its file system policy does not close it to anonymous clients (no policy, TLS not required, or ClientMount or ClientRootAccess allowed to everyone without an elasticfilesystem:AccessPointArn condition); `detail` lists each gap, and its owner must put a policy that closes it (docs/configuration.md, Shared file systems).",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "NotFound": {
        "description": "No such volume.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "RestoreSourceNotFound": {
        "description": "With restoreFrom: no volume the caller may read is the restore's source (problem type volume-not-found, as GET /volumes/{id} answers).",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "Conflict": {
        "description": "The Idempotency-Key was used with another body, a claim of that name exists, a pod uses the claim, or (problem type path-in-use) the volume's directory on a shared file system overlaps one another owner's volume used.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "PayloadTooLarge": {
        "description": "The body is over 16 KiB.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "UnsupportedMediaType": {
        "description": "The body is not application/json.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "Unprocessable": {
        "description": "The request is well-formed but cannot be done (unknown or inactive cluster, missing namespace, the cluster VPC's DNS support or DNS hostnames off: problem type vpc-dns-disabled, a subnet new mount targets would leave with fewer free addresses than the reserve: problem type subnet-address-reserve, or a restore's recovery point that is not one of its source's: problem types recovery-point-unknown and recovery-point-mismatch).",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "QuotaExceeded": {
        "description": "Problem type quota-exceeded: the namespace or the caller has as many live volumes as its limit allows; `quota` names the limit and the usage. Nothing was created: delete a volume, or ask an operator to raise the limit.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "InternalError": {
        "description": "An unexpected error; nothing is lost, retry with the same Idempotency-Key.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "ClusterAccessDenied": {
        "description": "The cluster's Kubernetes API refused this service (its EKS access entry or RBAC is missing); an operator must grant it.",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      },
      "Unavailable": {
        "description": "A dependency is throttling or down; retry with the same Idempotency-Key.",
        "headers": {
          "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "schema": {
              "type": "integer",
              "minimum": 1
            }
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      }
    },
    "schemas": {
      "VolumeId": {
        "type": "string",
        "pattern": "^vol-[0-9a-f]{20}$",
        "examples": [
          "vol-0123456789abcdef0123"
        ]
      },
      "VolumeStatus": {
        "type": "string",
        "enum": [
          "PENDING",
          "PROVISIONING",
          "READY",
          "ROLLING_BACK",
          "FAILED",
          "ROLLBACK_FAILED",
          "DELETING",
          "DELETED",
          "DELETE_FAILED",
          "REPAIRING"
        ]
      },
      "Problem": {
        "type": "object",
        "description": "An RFC 9457 problem details object.",
        "required": [
          "type",
          "title",
          "status"
        ],
        "properties": {
          "type": {
            "type": "string",
            "description": "A stable URI naming the kind of problem.",
            "examples": [
              "https://efs-volumes.dev/problems/invalid-request"
            ]
          },
          "title": {
            "type": "string"
          },
          "status": {
            "type": "integer",
            "minimum": 400,
            "maximum": 599
          },
          "detail": {
            "type": "string"
          },
          "instance": {
            "type": "string"
          },
          "errors": {
            "type": "array",
            "description": "Each field that is wrong, and how.",
            "items": {
              "type": "object",
              "required": [
                "field",
                "message"
              ],
              "properties": {
                "field": {
                  "type": "string"
                },
                "message": {
                  "type": "string"
                }
              }
            }
          },
          "findings": {
            "type": "array",
            "description": "A refused repair (problem type volume-not-repairable): the findings that stop it.",
            "items": {
              "$ref": "#/components/schemas/HealthFinding"
            }
          },
          "quota": {
            "$ref": "#/components/schemas/QuotaUsage"
          }
        }
      },
      "QuotaUsage": {
        "type": "object",
        "description": "A limit on live volumes (every status but DELETED and FAILED) and its usage: per cluster and namespace (`subject` is `<cluster>/<namespace>`) or per caller (`subject` is the principal).",
        "required": [
          "scope",
          "subject",
          "limit",
          "usage"
        ],
        "properties": {
          "scope": {
            "type": "string",
            "enum": [
              "namespace",
              "caller"
            ]
          },
          "subject": {
            "type": "string"
          },
          "limit": {
            "type": "integer",
            "minimum": 0
          },
          "usage": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "StepRecord": {
        "type": "object",
        "required": [
          "status",
          "startedAt"
        ],
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "RUNNING",
              "SUCCEEDED",
              "FAILED"
            ]
          },
          "startedAt": {
            "type": "string",
            "format": "date-time"
          },
          "endedAt": {
            "type": "string",
            "format": "date-time"
          },
          "error": {
            "$ref": "#/components/schemas/StepError"
          }
        }
      },
      "StepError": {
        "type": "object",
        "required": [
          "name",
          "message"
        ],
        "properties": {
          "name": {
            "type": "string"
          },
          "message": {
            "type": "string"
          }
        }
      },
      "VolumeFailure": {
        "type": "object",
        "required": [
          "step",
          "name",
          "message"
        ],
        "properties": {
          "step": {
            "type": "string",
            "description": "The step that failed."
          },
          "name": {
            "type": "string",
            "description": "The error's name."
          },
          "message": {
            "type": "string"
          }
        }
      },
      "HealthState": {
        "type": "string",
        "enum": [
          "HEALTHY",
          "DRIFTED"
        ]
      },
      "HealthFinding": {
        "type": "object",
        "description": "One way a READY volume no longer is what the service built.",
        "required": [
          "resource",
          "id",
          "problem",
          "repairable"
        ],
        "properties": {
          "resource": {
            "type": "string",
            "enum": [
              "FileSystem",
              "FileSystemPolicy",
              "MountTarget",
              "AccessPoint",
              "PersistentVolume",
              "PersistentVolumeClaim",
              "Cluster"
            ]
          },
          "id": {
            "type": "string",
            "description": "The resource's id or name (the zone of a missing mount target)."
          },
          "problem": {
            "type": "string"
          },
          "repairable": {
            "type": "boolean",
            "description": "Whether a repair can put it back without losing data."
          }
        }
      },
      "VolumeHealth": {
        "type": "object",
        "description": "What the last health check (scheduled, or POST /volumes/{id}/check) of a READY volume found.",
        "required": [
          "state",
          "checkedAt",
          "findings"
        ],
        "properties": {
          "state": {
            "$ref": "#/components/schemas/HealthState"
          },
          "checkedAt": {
            "type": "string",
            "format": "date-time"
          },
          "findings": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/HealthFinding"
            }
          }
        },
        "examples": [
          {
            "state": "DRIFTED",
            "checkedAt": "2026-11-25T12:15:00.000Z",
            "findings": [
              {
                "resource": "PersistentVolumeClaim",
                "id": "team-a/shared-data",
                "problem": "PersistentVolumeClaim team-a/shared-data no longer exists",
                "repairable": true
              }
            ]
          }
        ]
      },
      "LeftoverResource": {
        "type": "object",
        "required": [
          "type",
          "id"
        ],
        "properties": {
          "type": {
            "type": "string",
            "examples": [
              "FileSystem",
              "MountTarget",
              "AccessPoint",
              "SecurityGroup",
              "PersistentVolume"
            ]
          },
          "id": {
            "type": "string"
          },
          "reason": {
            "type": "string",
            "description": "In `leftovers`, set when the resource could not be checked (its description failed), so it may or may not still exist. In `retained`, why deletion kept it (the reclaim policy, or the other volumes' access points still on the file system)."
          }
        }
      },
      "VolumeResources": {
        "type": "object",
        "description": "Every resource id the workflow created or adopted, as it learns them.",
        "properties": {
          "securityGroupId": {
            "type": "string"
          },
          "clientSecurityGroupId": {
            "type": "string",
            "description": "With namespace network isolation on, the security group the volume's namespace's pods carry and its mount targets admit NFS from. Shared by the namespace's volumes and kept when the volume is deleted."
          },
          "fileSystemId": {
            "type": "string"
          },
          "fileSystemShared": {
            "type": "boolean"
          },
          "mountTargetIds": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "createdMountTargetIds": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "accessPointId": {
            "type": "string"
          },
          "persistentVolumeName": {
            "type": "string"
          },
          "persistentVolumeClaim": {
            "type": "object",
            "required": [
              "namespace",
              "name"
            ],
            "properties": {
              "namespace": {
                "type": "string"
              },
              "name": {
                "type": "string"
              }
            }
          },
          "storageClassName": {
            "type": "string"
          },
          "createdStorageClass": {
            "type": "boolean"
          },
          "createdCsiDriver": {
            "type": "boolean"
          },
          "restoreJobId": {
            "type": "string",
            "description": "With restoreFrom: AWS Backup's restore job."
          },
          "restoreDirectory": {
            "type": "string",
            "description": "With restoreFrom: the directory AWS Backup restored into, at the file system's root, as the FindRestoreDirectory step found it there (no AWS API returns its name); the access point's root is the source volume's path under it."
          }
        }
      },
      "VolumeSpec": {
        "type": "object",
        "description": "The request with every default filled in.",
        "required": [
          "clusterName",
          "namespace",
          "name",
          "posixUser",
          "rootDirectory",
          "performanceMode",
          "throughputMode",
          "capacity",
          "reclaimPolicy",
          "storageClassName",
          "tags",
          "dryRun"
        ],
        "properties": {
          "clusterName": {
            "type": "string"
          },
          "namespace": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "posixUser": {
            "type": "object",
            "required": [
              "uid",
              "gid",
              "secondaryGids"
            ],
            "properties": {
              "uid": {
                "type": "integer"
              },
              "gid": {
                "type": "integer"
              },
              "secondaryGids": {
                "type": "array",
                "items": {
                  "type": "integer"
                }
              }
            }
          },
          "rootDirectory": {
            "type": "object",
            "required": [
              "path",
              "permissions"
            ],
            "properties": {
              "path": {
                "type": "string"
              },
              "permissions": {
                "type": "string"
              }
            }
          },
          "performanceMode": {
            "type": "string",
            "enum": [
              "generalPurpose",
              "maxIO"
            ]
          },
          "throughputMode": {
            "type": "string",
            "enum": [
              "elastic",
              "bursting",
              "provisioned"
            ]
          },
          "provisionedThroughputInMibps": {
            "type": "number"
          },
          "capacity": {
            "type": "string"
          },
          "reclaimPolicy": {
            "type": "string",
            "enum": [
              "Retain",
              "Delete"
            ]
          },
          "storageClassName": {
            "type": "string"
          },
          "fileSystemId": {
            "type": "string"
          },
          "reattach": {
            "type": "boolean",
            "description": "Set (true) when the request took over a path that deleted volumes of another owner used on the shared file system."
          },
          "backup": {
            "type": "boolean",
            "description": "Automatic backups of the created file system (absent with fileSystemId, and on volumes recorded before the field existed)."
          },
          "restoreFrom": {
            "type": "object",
            "description": "The recovery point the file system is restored from, of the volume and file system named.",
            "required": [
              "volumeId",
              "recoveryPointArn",
              "fileSystemId"
            ],
            "properties": {
              "volumeId": {
                "type": "string"
              },
              "recoveryPointArn": {
                "type": "string"
              },
              "fileSystemId": {
                "type": "string",
                "description": "The file system the recovery point is of."
              }
            }
          },
          "verifyMount": {
            "type": "boolean",
            "description": "Set (true) when the volume is READY only after a Job mounted its claim (the request's `verifyMount`, or the stack's default)."
          },
          "tags": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          },
          "dryRun": {
            "type": "boolean"
          }
        }
      },
      "Volume": {
        "type": "object",
        "required": [
          "id",
          "status",
          "clusterName",
          "namespace",
          "name",
          "createdAt",
          "updatedAt",
          "spec",
          "steps",
          "resources"
        ],
        "properties": {
          "id": {
            "$ref": "#/components/schemas/VolumeId"
          },
          "status": {
            "$ref": "#/components/schemas/VolumeStatus"
          },
          "clusterName": {
            "type": "string"
          },
          "namespace": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "updatedAt": {
            "type": "string",
            "format": "date-time"
          },
          "executionName": {
            "type": "string"
          },
          "spec": {
            "$ref": "#/components/schemas/VolumeSpec"
          },
          "steps": {
            "type": "object",
            "description": "Each step of the workflow by name, with its times and error.",
            "additionalProperties": {
              "$ref": "#/components/schemas/StepRecord"
            }
          },
          "resources": {
            "$ref": "#/components/schemas/VolumeResources"
          },
          "fileSystemSource": {
            "$ref": "#/components/schemas/FileSystemSource"
          },
          "error": {
            "$ref": "#/components/schemas/VolumeFailure"
          },
          "rollbackError": {
            "$ref": "#/components/schemas/VolumeFailure"
          },
          "leftovers": {
            "type": "array",
            "description": "What rollback or deletion could not delete (ROLLBACK_FAILED, DELETE_FAILED).",
            "items": {
              "$ref": "#/components/schemas/LeftoverResource"
            }
          },
          "retained": {
            "type": "array",
            "description": "What deletion kept on purpose (a retained file system, or one other volumes still use), each with the reason on the file system.",
            "items": {
              "$ref": "#/components/schemas/LeftoverResource"
            }
          },
          "warnings": {
            "$ref": "#/components/schemas/Warnings"
          },
          "health": {
            "$ref": "#/components/schemas/VolumeHealth"
          },
          "size": {
            "$ref": "#/components/schemas/VolumeSize"
          },
          "repair": {
            "$ref": "#/components/schemas/VolumeRepair"
          }
        },
        "examples": [
          {
            "id": "vol-0123456789abcdef0123",
            "status": "READY",
            "clusterName": "demo",
            "namespace": "team-a",
            "name": "shared-data",
            "createdAt": "2026-11-25T12:00:00.000Z",
            "updatedAt": "2026-11-25T12:01:40.000Z",
            "spec": {
              "clusterName": "demo",
              "namespace": "team-a",
              "name": "shared-data",
              "posixUser": {
                "uid": 1000,
                "gid": 1000,
                "secondaryGids": []
              },
              "rootDirectory": {
                "path": "/team-a/shared-data",
                "permissions": "0750"
              },
              "performanceMode": "generalPurpose",
              "throughputMode": "elastic",
              "capacity": "5Gi",
              "reclaimPolicy": "Retain",
              "storageClassName": "efs-sc",
              "tags": {},
              "dryRun": false
            },
            "steps": {
              "ResolveCluster": {
                "status": "SUCCEEDED",
                "startedAt": "2026-11-25T12:00:00.100Z",
                "endedAt": "2026-11-25T12:00:00.300Z"
              }
            },
            "resources": {
              "fileSystemId": "fs-0123456789abcdef0",
              "accessPointId": "fsap-0123456789abcdef0"
            }
          }
        ]
      },
      "VolumeRepair": {
        "type": "object",
        "description": "The last repair (POST /volumes/{id}/repair) of the volume.",
        "required": [
          "status",
          "startedAt"
        ],
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "RUNNING",
              "SUCCEEDED",
              "FAILED"
            ]
          },
          "startedAt": {
            "type": "string",
            "format": "date-time"
          },
          "endedAt": {
            "type": "string",
            "format": "date-time"
          },
          "error": {
            "$ref": "#/components/schemas/VolumeFailure"
          }
        }
      },
      "VolumeList": {
        "type": "object",
        "required": [
          "items"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Volume"
            }
          },
          "nextToken": {
            "type": "string",
            "description": "Pass as `nextToken` for the next page; absent on the last. A page may be short, or empty, and still have one: follow it until it is absent."
          }
        }
      },
      "RecoveryPoint": {
        "type": "object",
        "required": [
          "recoveryPointArn",
          "createdAt",
          "status"
        ],
        "properties": {
          "recoveryPointArn": {
            "type": "string"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "status": {
            "type": "string",
            "description": "AWS Backup's status: COMPLETED, PARTIAL, DELETING, EXPIRED, AVAILABLE, STOPPED, CREATING."
          },
          "backupVaultName": {
            "type": "string"
          },
          "backupSizeBytes": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "RecoveryPointList": {
        "type": "object",
        "required": [
          "items"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RecoveryPoint"
            }
          },
          "nextToken": {
            "type": "string",
            "description": "Pass as `nextToken` for the next page; absent on the last."
          }
        }
      },
      "RestoreFrom": {
        "type": "object",
        "description": "Restore the new volume's file system from a recovery point of another volume's file system (`GET /volumes/{id}/recovery-points`). The root directory, POSIX user and performance mode are then that volume's: not allowed with rootDirectory, posixUser, performanceMode, throughputMode, provisionedThroughputInMibps, backup or fileSystemId.",
        "additionalProperties": false,
        "required": [
          "recoveryPointArn"
        ],
        "properties": {
          "volumeId": {
            "$ref": "#/components/schemas/VolumeId",
            "description": "The volume the recovery point was taken of. Optional for a recovery point in EFS's automatic backup vault (`aws/efs/automatic-backup-vault`) whose file system still exists: the service finds the volume from the recovery point (AWS Backup DescribeRecoveryPoint) and its file system's `efs-volumes:volume-id` tag. Required for a recovery point in another vault or of a deleted file system. When given, the recovery point must be of this volume's file system (422 `recovery-point-mismatch` when it is another's)."
          },
          "recoveryPointArn": {
            "type": "string",
            "pattern": "^arn:aws[a-z-]*:backup:[a-z0-9-]+:[0-9]{12}:recovery-point:[A-Za-z0-9-]+$",
            "maxLength": 256
          }
        }
      },
      "FileSystemSource": {
        "type": "string",
        "enum": [
          "new",
          "pool",
          "shared"
        ],
        "description": "Where the volume's file system comes from: `new`, created for it; `pool`, taken ready from the cluster's warm pool (`WARM_POOL`), with its policy, security group and mount targets, so only the access point and the manifests are made; `shared`, the existing file system the request named (`fileSystemId`). Absent on volumes recorded before it was (they are `new` or `shared`)."
      },
      "VolumeSize": {
        "type": "object",
        "description": "The metered size of the file system the volume owns (EFS's `SizeInBytes`, which EFS refreshes about hourly), as the last health check read it; absent for a volume on a shared file system, whose size is not its own.",
        "required": [
          "meteredBytes",
          "measuredAt"
        ],
        "properties": {
          "meteredBytes": {
            "type": "integer",
            "minimum": 0
          },
          "measuredAt": {
            "type": "string",
            "format": "date-time",
            "description": "When EFS measured it."
          },
          "monthlyUsd": {
            "type": "number",
            "minimum": 0,
            "description": "A month of storage at that size in EFS Standard, from the service's price table (absent in a Region the table lacks)."
          }
        }
      },
      "VolumeCost": {
        "type": "object",
        "description": "What the volume costs, in US dollars, from the service's dated price table (functions/lib/pricing/prices.ts; absent in a Region the table has no prices for).",
        "required": [
          "region",
          "pricesReadOn",
          "provisioningUsd",
          "monthlyAtZeroBytesUsd",
          "monthlyPerGbUsd"
        ],
        "properties": {
          "region": {
            "type": "string"
          },
          "pricesReadOn": {
            "type": "string",
            "format": "date",
            "description": "The day the prices were read from AWS's pricing pages."
          },
          "provisioningUsd": {
            "type": "number",
            "minimum": 0,
            "description": "One provisioning run on the path the plan takes (Step Functions transitions and Lambda time, as the bench's AWS model measures them)."
          },
          "monthlyAtZeroBytesUsd": {
            "type": "number",
            "minimum": 0,
            "description": "A month of the volume's resources holding no data (access points, security groups and mount targets are free)."
          },
          "monthlyPerGbUsd": {
            "type": "number",
            "minimum": 0,
            "description": "Each GB stored for a month, in EFS Standard."
          },
          "restore": {
            "type": "object",
            "description": "A restore's own charges (restores only). provisioningUsd counts the restore's steps at their fewest looks; a restore job takes minutes, each further look adds perRestoreJobLookUsd.",
            "required": [
              "perGbUsd",
              "perRestoreJobLookUsd"
            ],
            "properties": {
              "perGbUsd": {
                "type": "number",
                "minimum": 0,
                "description": "AWS Backup's charge per GB restored from an EFS recovery point in warm storage."
              },
              "perRestoreJobLookUsd": {
                "type": "number",
                "minimum": 0,
                "description": "Each look past the first at the running restore job (every 30 s)."
              }
            }
          }
        }
      },
      "VolumePlan": {
        "type": "object",
        "description": "What a request would create, without creating it.",
        "required": [
          "dryRun",
          "spec",
          "aws",
          "manifests",
          "fileSystemSource"
        ],
        "properties": {
          "dryRun": {
            "const": true
          },
          "spec": {
            "$ref": "#/components/schemas/VolumeSpec"
          },
          "fileSystemSource": {
            "allOf": [
              {
                "$ref": "#/components/schemas/FileSystemSource"
              }
            ],
            "description": "The path the request would take now: `pool` when the cluster's warm pool holds a member it matches (a request made later may find the pool empty and take `new`)."
          },
          "poolFileSystemId": {
            "type": "string",
            "description": "With `pool`, the warm pool file system the request would take now."
          },
          "cost": {
            "$ref": "#/components/schemas/VolumeCost"
          },
          "aws": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "type",
                "action",
                "properties"
              ],
              "properties": {
                "type": {
                  "type": "string"
                },
                "action": {
                  "type": "string",
                  "enum": [
                    "create",
                    "reuse"
                  ]
                },
                "properties": {
                  "type": "object",
                  "additionalProperties": true
                }
              }
            }
          },
          "manifests": {
            "type": "string",
            "description": "The Kubernetes YAML that would be applied, with placeholders for ids not known yet."
          },
          "mountCheck": {
            "type": "object",
            "description": "With `verifyMount`: the Job the VerifyMount step would run in the volume's namespace once the claim is Bound (READY only if it succeeds), then delete.",
            "required": [
              "namespace",
              "image",
              "timeoutSeconds",
              "job"
            ],
            "properties": {
              "namespace": {
                "type": "string"
              },
              "image": {
                "type": "string"
              },
              "timeoutSeconds": {
                "type": "integer",
                "description": "The Job's activeDeadlineSeconds."
              },
              "job": {
                "type": "string",
                "description": "The Job's YAML."
              }
            }
          },
          "restoreListing": {
            "type": "object",
            "description": "With `restoreFrom`: how the FindRestoreDirectory step finds the directory AWS Backup restored into (no AWS API returns its name), once the mount targets are ready and before the access point is created. A temporary access point (root `/`, a non-root user), a PersistentVolume and claim through it, and a Job in the volume's namespace whose pod mounts the restored root read-only and lists its `aws-backup-restore_*` directories; all deleted once it ends. Exactly one must be found, or the volume rolls back.",
            "required": [
              "namespace",
              "image",
              "timeoutSeconds",
              "accessPoint",
              "manifests",
              "job"
            ],
            "properties": {
              "namespace": {
                "type": "string"
              },
              "image": {
                "type": "string"
              },
              "timeoutSeconds": {
                "type": "integer",
                "description": "The Job's activeDeadlineSeconds."
              },
              "accessPoint": {
                "type": "object",
                "description": "The temporary access point the listing mounts through.",
                "required": [
                  "rootDirectory",
                  "posixUser"
                ],
                "properties": {
                  "rootDirectory": {
                    "type": "string"
                  },
                  "posixUser": {
                    "type": "object",
                    "required": [
                      "uid",
                      "gid"
                    ],
                    "properties": {
                      "uid": {
                        "type": "integer"
                      },
                      "gid": {
                        "type": "integer"
                      }
                    }
                  }
                }
              },
              "manifests": {
                "type": "string",
                "description": "The listing's PersistentVolume and claim, as YAML, with placeholders for ids not known yet."
              },
              "job": {
                "type": "string",
                "description": "The Job's YAML."
              }
            }
          },
          "fargate": {
            "type": "object",
            "description": "What the Fargate preflight found for the namespace.",
            "required": [
              "profiles",
              "availabilityZones"
            ],
            "properties": {
              "profiles": {
                "type": "array",
                "description": "The Fargate profiles that select the namespace (podLabels empty when they select every pod).",
                "items": {
                  "type": "object",
                  "required": [
                    "name",
                    "podLabels",
                    "subnetIds"
                  ],
                  "properties": {
                    "name": {
                      "type": "string"
                    },
                    "podLabels": {
                      "type": "object",
                      "additionalProperties": {
                        "type": "string"
                      }
                    },
                    "subnetIds": {
                      "type": "array",
                      "items": {
                        "type": "string"
                      }
                    }
                  }
                }
              },
              "availabilityZones": {
                "type": "array",
                "description": "Every zone a pod of the namespace may run in (the cluster's subnets and those of the selecting profiles).",
                "items": {
                  "type": "string"
                }
              }
            }
          },
          "quotas": {
            "type": "object",
            "description": "The limits the request counts against, with their usage now, and the free addresses of the subnets its new mount targets would take one each from.",
            "required": [
              "volumes"
            ],
            "properties": {
              "volumes": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/QuotaUsage"
                }
              },
              "mountTargetSubnets": {
                "type": "array",
                "description": "Absent on a shared file system (no new mount target).",
                "items": {
                  "type": "object",
                  "required": [
                    "subnetId",
                    "availabilityZone",
                    "availableAddresses",
                    "reserve"
                  ],
                  "properties": {
                    "subnetId": {
                      "type": "string"
                    },
                    "availabilityZone": {
                      "type": "string"
                    },
                    "availableAddresses": {
                      "type": "integer",
                      "minimum": 0
                    },
                    "reserve": {
                      "type": "integer",
                      "minimum": 0
                    }
                  }
                }
              }
            }
          },
          "warnings": {
            "$ref": "#/components/schemas/Warnings"
          }
        }
      },
      "Warnings": {
        "type": "array",
        "description": "What may keep pods from mounting the volume though provisioning succeeds (e.g. no Fargate profile selects the namespace).",
        "items": {
          "type": "string"
        }
      },
      "VolumeRequest": {
        "type": "object",
        "description": "What a caller asks for. Only clusterName, namespace and name are required.",
        "additionalProperties": false,
        "required": [
          "clusterName",
          "namespace",
          "name"
        ],
        "properties": {
          "clusterName": {
            "type": "string",
            "description": "The EKS cluster the volume is for.",
            "pattern": "^[0-9A-Za-z][A-Za-z0-9_-]*$",
            "minLength": 1,
            "maxLength": 100,
            "examples": [
              "demo"
            ]
          },
          "namespace": {
            "$ref": "#/components/schemas/DnsLabel"
          },
          "name": {
            "$ref": "#/components/schemas/DnsLabel"
          },
          "posixUser": {
            "$ref": "#/components/schemas/PosixUser"
          },
          "rootDirectory": {
            "$ref": "#/components/schemas/RootDirectory"
          },
          "performanceMode": {
            "type": "string",
            "enum": [
              "generalPurpose",
              "maxIO"
            ],
            "default": "generalPurpose"
          },
          "throughputMode": {
            "type": "string",
            "enum": [
              "elastic",
              "bursting",
              "provisioned"
            ],
            "default": "elastic"
          },
          "provisionedThroughputInMibps": {
            "type": "number",
            "minimum": 1,
            "maximum": 10240,
            "description": "Required when throughputMode is provisioned, refused otherwise."
          },
          "capacity": {
            "type": "string",
            "description": "The capacity written on the PersistentVolume and claim. EFS is elastic and does not enforce it, but Kubernetes requires one.",
            "pattern": "^[1-9][0-9]{0,5}(Mi|Gi|Ti|Pi)$",
            "default": "5Gi"
          },
          "reclaimPolicy": {
            "type": "string",
            "enum": [
              "Retain",
              "Delete"
            ],
            "default": "Retain",
            "description": "What happens to the PersistentVolume when its claim is deleted. Data in EFS is never deleted by Kubernetes."
          },
          "storageClassName": {
            "$ref": "#/components/schemas/DnsSubdomain"
          },
          "fileSystemId": {
            "type": "string",
            "description": "An existing EFS file system to add an access point to, instead of creating one. Its mount targets must already allow NFS from the cluster. The volume's `rootDirectory.path` must then lie under `/<clusterName>/<namespace>/` (the default is `/<clusterName>/<namespace>/<name>`), and must not be, contain or lie inside a path that a volume of another owner used on that file system, live or deleted (409 `path-in-use`), unless `reattach` is true and allowed.",
            "pattern": "^fs-[0-9a-f]{8,40}$"
          },
          "reattach": {
            "type": "boolean",
            "default": false,
            "description": "With `fileSystemId`: take over a path that deleted volumes of another owner used, and with it their data. Allowed only to a caller whose ACCESS_POLICY rule for the namespace has `deleteOthers: true`, and never for a path an access point still serves (a live volume's)."
          },
          "backup": {
            "type": "boolean",
            "default": true,
            "description": "Turns on EFS automatic backups (AWS Backup, daily, 35 days) for the file system this service creates, so `reclaimPolicy: Delete` still leaves a recovery point. Not allowed with fileSystemId, whose backups are its owner's choice."
          },
          "restoreFrom": {
            "$ref": "#/components/schemas/RestoreFrom"
          },
          "verifyMount": {
            "type": "boolean",
            "description": "READY only after a Kubernetes Job in the volume's namespace mounted the claim, wrote, read back and removed a probe file (the VerifyMount step, after the claim is Bound); if the pod cannot, the volume fails with what the pod reported (DNS, timeout, permission) and rolls back. Default: the stack's `verifyMount` setting (false unless configured). See docs/api.md: A mount proven before READY."
          },
          "tags": {
            "type": "object",
            "description": "Tags added to every AWS resource of the volume.",
            "maxProperties": 40,
            "propertyNames": {
              "pattern": "^(?![aA][wW][sS]:)(?!__proto__$)[A-Za-z0-9 _.:/=+@-]{1,127}$"
            },
            "additionalProperties": {
              "type": "string",
              "maxLength": 256,
              "pattern": "^[A-Za-z0-9 _.:/=+@-]*$"
            }
          },
          "dryRun": {
            "type": "boolean",
            "default": false,
            "description": "When true, nothing is created; the answer is the plan."
          }
        }
      },
      "DnsLabel": {
        "type": "string",
        "description": "A DNS-1123 label, as Kubernetes requires for namespaces and used here for claim names.",
        "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        "minLength": 1,
        "maxLength": 63
      },
      "DnsSubdomain": {
        "type": "string",
        "description": "A DNS-1123 subdomain.",
        "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
        "minLength": 1,
        "maxLength": 253
      },
      "PosixUser": {
        "type": "object",
        "description": "The POSIX identity every file operation through the access point uses. uid and gid 0 are refused unless the service is configured to allow them.",
        "additionalProperties": false,
        "required": [
          "uid",
          "gid"
        ],
        "properties": {
          "uid": {
            "type": "integer",
            "minimum": 0,
            "maximum": 4294967295,
            "default": 1000
          },
          "gid": {
            "type": "integer",
            "minimum": 0,
            "maximum": 4294967295,
            "default": 1000
          },
          "secondaryGids": {
            "type": "array",
            "maxItems": 16,
            "uniqueItems": true,
            "items": {
              "type": "integer",
              "minimum": 0,
              "maximum": 4294967295
            }
          }
        }
      },
      "RootDirectory": {
        "type": "object",
        "description": "The directory the access point exposes as the volume's root, created on first use with this owner and mode.",
        "additionalProperties": false,
        "properties": {
          "path": {
            "type": "string",
            "description": "An absolute, normalized path (no `.` or `..` segments, no `//`, no trailing `/`), not `/` itself. Default `/<namespace>/<name>`, or `/<clusterName>/<namespace>/<name>` with `fileSystemId`.",
            "pattern": "^(/[A-Za-z0-9_.-]+)+$",
            "maxLength": 100
          },
          "permissions": {
            "type": "string",
            "description": "Octal mode of the root directory when it is created.",
            "pattern": "^0?[0-7]{3}$",
            "default": "0750"
          }
        }
      }
    }
  }
} as const;
