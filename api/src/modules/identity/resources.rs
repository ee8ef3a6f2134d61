//! Identity's resources, declared to the kit (see `crate::kit::resource`).

use entities::identity::{api_key, role, user_account};

use crate::authz::catalog::{
    API_KEY_READ, API_KEY_WRITE, ROLE_READ, ROLE_WRITE, USER_CONTACT_READ, USER_READ, USER_WRITE,
};
use crate::kit::resource::refers;
use crate::kit::{Resource, ResourceInfo};

impl Resource for user_account::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        owners: &["id"],
        sensitive: &[("email", USER_CONTACT_READ), ("phone", USER_CONTACT_READ)],
        secret: &["password_hash"],
        unique: &[("email", "email")],
        ..ResourceInfo::new("user", USER_READ, USER_WRITE)
    };
}

impl Resource for role::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        unique: &[("name", "name")],
        ..ResourceInfo::new("role", ROLE_READ, ROLE_WRITE)
    };
}

impl Resource for api_key::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        secret: &["secret_hash"],
        references: &[refers("role_id", "role", "id", "role")],
        ..ResourceInfo::new("api_key", API_KEY_READ, API_KEY_WRITE)
    };
}

/// Identity's resources.
pub const RESOURCES: &[&ResourceInfo] = &[
    &<user_account::Entity as Resource>::INFO,
    &<role::Entity as Resource>::INFO,
    &<api_key::Entity as Resource>::INFO,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::resource::check_declaration;

    #[test]
    fn every_declaration_names_real_columns() {
        assert_eq!(check_declaration::<user_account::Entity>(), Ok(()));
        assert_eq!(check_declaration::<role::Entity>(), Ok(()));
        assert_eq!(check_declaration::<api_key::Entity>(), Ok(()));
    }
}
