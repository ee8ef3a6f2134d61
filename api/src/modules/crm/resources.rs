//! The CRM's resources, declared to the kit (see `crate::kit::resource`).

use entities::crm::{activity, lead, opportunity, pipeline_stage};

use crate::authz::catalog::{
    ACTIVITY_READ, ACTIVITY_WRITE, LEAD_READ, LEAD_WRITE, OPPORTUNITY_READ, OPPORTUNITY_WRITE,
    PIPELINE_WRITE,
};
use crate::kit::resource::refers;
use crate::kit::{Resource, ResourceInfo};

impl Resource for lead::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        owners: &["owner_id"],
        assign_notice: Some("title"),
        references: &[
            refers("owner_id", "user_account", "id", "user"),
            refers("customer_id", "customer", "id", "customer"),
            refers("opportunity_id", "opportunity", "id", "opportunity"),
        ],
        ..ResourceInfo::new("lead", LEAD_READ, LEAD_WRITE)
    };
}

impl Resource for opportunity::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        owners: &["owner_id"],
        assign_notice: Some("title"),
        references: &[
            refers("customer_id", "customer", "id", "customer"),
            refers("currency", "currency", "code", "currency").at("input.amount.currency"),
            refers("stage_id", "pipeline_stage", "id", "stage"),
            refers("owner_id", "user_account", "id", "user"),
            refers("lead_id", "lead", "id", "lead"),
        ],
        ..ResourceInfo::new("opportunity", OPPORTUNITY_READ, OPPORTUNITY_WRITE)
    };
}

impl Resource for activity::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        owners: &["owner_id", "assignee_id"],
        assign_notice: Some("subject"),
        references: &[
            refers("owner_id", "user_account", "id", "user"),
            refers("assignee_id", "user_account", "id", "user"),
            refers("lead_id", "lead", "id", "lead"),
            refers("opportunity_id", "opportunity", "id", "opportunity"),
            refers("customer_id", "customer", "id", "customer"),
        ],
        ..ResourceInfo::new("activity", ACTIVITY_READ, ACTIVITY_WRITE)
    };
}

impl Resource for pipeline_stage::Entity {
    const INFO: ResourceInfo = ResourceInfo {
        unique: &[("name", "name")],
        ..ResourceInfo::new("pipeline_stage", OPPORTUNITY_READ, PIPELINE_WRITE)
    };
}

/// The CRM's resources.
pub const RESOURCES: &[&ResourceInfo] = &[
    &<lead::Entity as Resource>::INFO,
    &<opportunity::Entity as Resource>::INFO,
    &<activity::Entity as Resource>::INFO,
    &<pipeline_stage::Entity as Resource>::INFO,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::resource::check_declaration;

    #[test]
    fn every_declaration_names_real_columns() {
        assert_eq!(check_declaration::<lead::Entity>(), Ok(()));
        assert_eq!(check_declaration::<opportunity::Entity>(), Ok(()));
        assert_eq!(check_declaration::<activity::Entity>(), Ok(()));
        assert_eq!(check_declaration::<pipeline_stage::Entity>(), Ok(()));
    }
}
