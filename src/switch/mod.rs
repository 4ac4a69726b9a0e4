//! Switching the service from one node to another, safely.
//!
//! Owns the VM drivers ([`driver`]: openstack, virsh, eden, command, process), the hosts
//! file edit ([`hosts`]: atomic, byte for byte), health checks ([`health`]), the switch
//! lock ([`lock`]) and the TOML config ([`config`]). Must not decide *when* to switch: that
//! is `plan`'s job.
//!
//! Contract used by other modules (monitor, testbed): [`config::Config::load`] and
//! [`run_switch`]`(cfg, from, to) -> Result<SwitchReport>`.
//!
//! Order of a switch (SPEC 4, item 8): take the lock; start TO; wait until TO's health URL
//! gave N consecutive good answers; point the service name at TO's address in the hosts
//! file; check the service through the name; stop FROM. If TO never becomes healthy, FROM
//! keeps running, the hosts file is untouched, and TO is stopped only if this switch
//! started it.

pub mod config;
pub mod driver;
pub mod health;
pub mod hosts;
pub mod lock;
mod run;

pub use run::{run_switch, SwitchReport};
