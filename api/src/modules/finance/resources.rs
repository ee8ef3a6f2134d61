//! Finance's resources, declared to the kit (see `crate::kit::resource`). None has owners:
//! the books are read whole or not at all.

use entities::finance::{account, journal, journal_entry, journal_line, ledger_setting};

use crate::authz::catalog::{ACCOUNT_READ, ACCOUNT_WRITE, ENTRY_READ, ENTRY_WRITE, PERIOD_LOCK};
use crate::kit::resource::refers;
use crate::kit::{Resource, ResourceInfo};

impl Resource for account::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[refers("parent_id", "account", "id", "account")],
        unique: &[("code", "code"), ("role", "role")],
        ..ResourceInfo::new("account", ACCOUNT_READ, ACCOUNT_WRITE)
    };
}

impl Resource for journal::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        unique: &[("code", "code")],
        ..ResourceInfo::new("journal", ACCOUNT_READ, ACCOUNT_WRITE)
    };
}

impl Resource for journal_entry::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[
            refers("journal_id", "journal", "id", "journal"),
            refers("reversal_of_id", "journal_entry", "id", "journal entry"),
        ],
        unique: &[("number", "number"), ("reversal_of_id", "reversal")],
        ..ResourceInfo::new("journal_entry", ENTRY_READ, ENTRY_WRITE)
    };
}

/// Lines are written only by the ledger service, with their entry (whose audit entry and
/// event stand for them), and read through it: declared for the nested `lines` connection
/// and the key checks, not registered in [`RESOURCES`] (no grants of their own).
impl Resource for journal_line::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        references: &[
            refers("entry_id", "journal_entry", "id", "journal entry"),
            refers("account_id", "account", "id", "account"),
            refers("currency", "currency", "code", "currency"),
            refers("customer_id", "customer", "id", "customer"),
            refers("supplier_id", "supplier", "id", "supplier"),
        ],
        ..ResourceInfo::new("journal_line", ENTRY_READ, ENTRY_WRITE)
    };
}

impl Resource for ledger_setting::Entity {
    const INFO: ResourceInfo = ResourceInfo::new("ledger_setting", ACCOUNT_READ, PERIOD_LOCK);
}

/// Finance's resources.
pub const RESOURCES: &[&ResourceInfo] = &[
    &<account::Entity as Resource>::INFO,
    &<journal::Entity as Resource>::INFO,
    &<journal_entry::Entity as Resource>::INFO,
    &<ledger_setting::Entity as Resource>::INFO,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::resource::check_declaration;

    #[test]
    fn every_declaration_names_real_columns() {
        assert_eq!(check_declaration::<account::Entity>(), Ok(()));
        assert_eq!(check_declaration::<journal::Entity>(), Ok(()));
        assert_eq!(check_declaration::<journal_entry::Entity>(), Ok(()));
        assert_eq!(check_declaration::<journal_line::Entity>(), Ok(()));
        assert_eq!(check_declaration::<ledger_setting::Entity>(), Ok(()));
    }
}
