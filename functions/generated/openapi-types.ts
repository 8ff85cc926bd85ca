// Generated from openapi.yaml by `npm run generate`. Do not edit.
export type paths = Record<string, never>;
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
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
            /** @description An existing EFS file system to add an access point to, instead of creating one. Its mount targets must already allow NFS from the cluster. */
            fileSystemId?: string;
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
            /** @description An absolute, normalized path (no `.` or `..` segments, no `//`, no trailing `/`), not `/` itself. Default `/<namespace>/<name>`. */
            path?: string;
            /**
             * @description Octal mode of the root directory when it is created.
             * @default 0750
             */
            permissions?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
