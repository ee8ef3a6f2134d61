//! The permission catalog and the system roles' grants.
//!
//! Permissions are strings from this catalog only: `module.entity.action`, and
//! `module.entity.field.read` for sensitive fields. Later modules add theirs here, and the
//! system roles below are kept in step with this file in every tenant database at provisioning
//! and migration (`roles::sync_system_roles`).

/// Read users (list and by id).
pub const USER_READ: &str = "identity.user.read";
/// Create, update, deactivate and reactivate users.
pub const USER_WRITE: &str = "identity.user.write";
/// Read users' email and phone (sensitive field).
pub const USER_CONTACT_READ: &str = "identity.user.contact.read";
/// Read roles and their grants.
pub const ROLE_READ: &str = "identity.role.read";
/// Create, update and delete custom roles.
pub const ROLE_WRITE: &str = "identity.role.write";
/// Assign roles to users and unassign them.
pub const ROLE_ASSIGN: &str = "identity.role.assign";
/// List API keys.
pub const API_KEY_READ: &str = "identity.api_key.read";
/// Create and revoke API keys.
pub const API_KEY_WRITE: &str = "identity.api_key.write";
/// Read the audit log.
pub const AUDIT_READ: &str = "identity.audit.read";

/// Every permission, with what it allows.
pub const PERMISSIONS: &[(&str, &str)] = &[
    (USER_READ, "List and view users."),
    (
        USER_WRITE,
        "Create, update, deactivate and reactivate users.",
    ),
    (
        USER_CONTACT_READ,
        "Read users' email and phone (everyone can read their own).",
    ),
    (ROLE_READ, "List and view roles and their grants."),
    (ROLE_WRITE, "Create, update and delete custom roles."),
    (ROLE_ASSIGN, "Assign roles to users and remove them."),
    (API_KEY_READ, "List API keys."),
    (API_KEY_WRITE, "Create and revoke API keys."),
    (AUDIT_READ, "Read the audit log."),
];

/// Whether `permission` is in the catalog.
pub fn is_known(permission: &str) -> bool {
    PERMISSIONS.iter().any(|(name, _)| *name == permission)
}

/// A system role: seeded in every tenant, grants defined here (all with scope `ALL`).
pub struct SystemRole {
    /// Role name.
    pub name: &'static str,
    /// What the role is for.
    pub description: &'static str,
    /// Its permissions; `None` means every permission in the catalog.
    pub grants: Option<&'static [&'static str]>,
}

/// The system roles. Owner and admin hold everything; the others hold what their job needs
/// of the identity module (later modules extend these lists).
pub const SYSTEM_ROLES: &[SystemRole] = &[
    SystemRole {
        name: "owner",
        description: "The account owner: every permission. At least one active owner always remains.",
        grants: None,
    },
    SystemRole {
        name: "admin",
        description: "Administers the tenant: every permission.",
        grants: None,
    },
    SystemRole {
        name: "manager",
        description: "Runs a team: sees users with their contact details, roles and the audit log.",
        grants: Some(&[USER_READ, USER_CONTACT_READ, ROLE_READ, AUDIT_READ]),
    },
    SystemRole {
        name: "sales_rep",
        description: "Sells: sees who the other users are.",
        grants: Some(&[USER_READ]),
    },
    SystemRole {
        name: "accountant",
        description: "Keeps the books: sees users and the audit log.",
        grants: Some(&[USER_READ, AUDIT_READ]),
    },
    SystemRole {
        name: "warehouse",
        description: "Moves stock: sees who the other users are.",
        grants: Some(&[USER_READ]),
    },
    SystemRole {
        name: "hr",
        description: "Manages people: creates and updates users, sees contact details and roles.",
        grants: Some(&[USER_READ, USER_WRITE, USER_CONTACT_READ, ROLE_READ]),
    },
    SystemRole {
        name: "viewer",
        description: "Looks, changes nothing: sees users (not their contact details) and roles.",
        grants: Some(&[USER_READ, ROLE_READ]),
    },
];

/// The role every first admin of a tenant gets.
pub const OWNER_ROLE: &str = "owner";

impl SystemRole {
    /// The role's permissions.
    pub fn permissions(&self) -> Vec<&'static str> {
        match self.grants {
            Some(grants) => grants.to_vec(),
            None => PERMISSIONS.iter().map(|(name, _)| *name).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_granted_permission_is_in_the_catalog_and_names_follow_the_pattern() {
        for role in SYSTEM_ROLES {
            for p in role.permissions() {
                assert!(is_known(p), "{} grants unknown {p}", role.name);
            }
        }
        for (name, description) in PERMISSIONS {
            let parts: Vec<&str> = name.split('.').collect();
            assert!((3..=4).contains(&parts.len()), "{name}");
            assert!(
                parts.len() == 3 || parts[3] == "read",
                "{name}: field permissions end in .read"
            );
            assert!(!description.is_empty());
        }
    }
}
