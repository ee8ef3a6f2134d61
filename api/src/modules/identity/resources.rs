//! Identity's resources, declared to the kit (see `crate::kit::resource`).

use entities::identity::user_account;

use crate::authz::catalog::{USER_CONTACT_READ, USER_READ, USER_WRITE};
use crate::kit::{Resource, ResourceInfo};

impl Resource for user_account::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        name: "user",
        read: USER_READ,
        write: USER_WRITE,
        owners: &["id"],
        sensitive: &[("email", USER_CONTACT_READ), ("phone", USER_CONTACT_READ)],
        secret: &["password_hash"],
        references: &[],
    };
}

/// Identity's resources.
pub const RESOURCES: &[&ResourceInfo] = &[&<user_account::Entity as Resource>::INFO];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::resource::check_declaration;

    #[test]
    fn every_declaration_names_real_columns() {
        assert_eq!(check_declaration::<user_account::Entity>(), Ok(()));
    }
}
