// Generated from openapi.yaml by `npm run generate`. Do not edit.
export const openapiComponents = {
  "components": {
    "schemas": {
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
            "description": "An existing EFS file system to add an access point to, instead of creating one. Its mount targets must already allow NFS from the cluster.",
            "pattern": "^fs-[0-9a-f]{8,40}$"
          },
          "tags": {
            "type": "object",
            "description": "Tags added to every AWS resource of the volume.",
            "maxProperties": 40,
            "propertyNames": {
              "pattern": "^(?!aws:)[A-Za-z0-9 _.:/=+@-]{1,128}$"
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
            "description": "An absolute, normalized path (no `.` or `..` segments, no `//`, no trailing `/`), not `/` itself. Default `/<namespace>/<name>`.",
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
