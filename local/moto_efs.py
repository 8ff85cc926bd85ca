"""moto's EFS, completed where moto 5.2 falls short of EFS (the error from the SDK's model).

- CreateMountTarget: each mount target takes an address in its subnet (moto already gives it a
  network interface, so the subnet's AvailableIpAddressCount falls by one), and EFS refuses one
  in a subnet with no free address left: 409 NoFreeAddressesInSubnet. moto creates it anyway.
- SizeInBytes: EFS meters an empty file system at 6 KiB (its metadata), never 0 as moto does;
  the service prices what EFS meters, so local mode meters what EFS would.
- What a file system holds, for local mode's pods (not an AWS API: EFS has none that lists a
  file system's files): `directories_of` answers GET /_local/efs/directories (local/moto-server.py)
  with the directories the model knows of, those a restore made (local/moto_backup.py).
"""

from moto.ec2.exceptions import InvalidSubnetIdError
from moto.efs.exceptions import EFSError
from moto.efs.models import EFSBackend, FileSystem, efs_backends

# What EFS meters for a file system holding no data: its metadata.
EMPTY_FILE_SYSTEM_BYTES = 6144


class NoFreeAddressesInSubnet(EFSError):
    code = 409

    def __init__(self, subnet_id):
        super().__init__(
            "NoFreeAddressesInSubnet",
            f"The specified subnet {subnet_id} does not have any free IP addresses.",
        )


def complete_moto_efs():
    create_mount_target = EFSBackend.create_mount_target

    def create_with_an_address(
        self, file_system_id, subnet_id, ip_address=None, security_groups=None
    ):
        try:
            subnet = self.ec2_backend.get_subnet(subnet_id)
        except InvalidSubnetIdError:
            subnet = None  # moto's own answer follows: 404 SubnetNotFound
        if subnet is not None and subnet.available_ip_address_count < 1:
            raise NoFreeAddressesInSubnet(subnet_id)
        return create_mount_target(self, file_system_id, subnet_id, ip_address, security_groups)

    EFSBackend.create_mount_target = create_with_an_address

    metered = FileSystem.size_in_bytes.fget

    def metered_like_efs(self):
        size = dict(metered(self))
        size["Value"] = max(size["Value"], EMPTY_FILE_SYSTEM_BYTES)
        size["ValueInStandard"] = max(size["ValueInStandard"], EMPTY_FILE_SYSTEM_BYTES)
        return size

    FileSystem.size_in_bytes = property(metered_like_efs)


def directories_of(file_system_id, account_id, region):
    """The directories the model knows on the file system, as absolute paths; None when moto
    has no such file system."""
    backend = efs_backends[account_id][region]
    file_system = backend.file_systems_by_id.get(file_system_id)
    if file_system is None:
        return None
    return sorted(getattr(file_system, "local_directories", []))
