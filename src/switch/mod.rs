//! Switching the service from one node to another, safely.
//!
//! (Issue 3.) Owns the VM drivers (openstack, virsh, eden, command, process), the hosts
//! file edit (atomic, byte for byte), health checks, the switch lock and the TOML config.
//! Must not decide *when* to switch: that is `plan`'s job.
