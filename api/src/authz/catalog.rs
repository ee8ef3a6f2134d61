//! The permission catalog and the system roles' grants.
//!
//! Permissions are strings from this catalog only: `module.entity.action`, and
//! `module.entity.field.read` for sensitive fields. Each is a constant here, declared with what
//! it allows by its module (`Module::permissions` in the module's `mod.rs`), and the system
//! roles below are kept in step with the modules' declarations in every tenant database at
//! provisioning and migration (identity's seed step, `roles::sync_system_roles`).

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
/// See the tenant's background jobs and their status.
pub const JOB_READ: &str = "identity.job.read";

/// Read reference data: currencies and rates, units, tax rates, payment terms, product
/// categories, warehouses.
pub const DATA_READ: &str = "master.data.read";
/// Maintain reference data.
pub const DATA_WRITE: &str = "master.data.write";
/// Read customers and their contacts.
pub const CUSTOMER_READ: &str = "master.customer.read";
/// Create, update and archive customers and their contacts.
pub const CUSTOMER_WRITE: &str = "master.customer.write";
/// Read suppliers and their contacts.
pub const SUPPLIER_READ: &str = "master.supplier.read";
/// Create, update and archive suppliers and their contacts.
pub const SUPPLIER_WRITE: &str = "master.supplier.write";
/// Read products.
pub const PRODUCT_READ: &str = "master.product.read";
/// Create, update and archive products.
pub const PRODUCT_WRITE: &str = "master.product.write";
/// Read products' cost prices (sensitive field).
pub const PRODUCT_COST_READ: &str = "master.product.cost.read";
/// Read leads.
pub const LEAD_READ: &str = "crm.lead.read";
/// Create, update, qualify, disqualify and convert leads.
pub const LEAD_WRITE: &str = "crm.lead.write";
/// Read opportunities and the pipeline forecast.
pub const OPPORTUNITY_READ: &str = "crm.opportunity.read";
/// Create, update, move, win and lose opportunities.
pub const OPPORTUNITY_WRITE: &str = "crm.opportunity.write";
/// Read activities.
pub const ACTIVITY_READ: &str = "crm.activity.read";
/// Create, update and complete activities.
pub const ACTIVITY_WRITE: &str = "crm.activity.write";
/// Define the pipeline's stages.
pub const PIPELINE_WRITE: &str = "crm.pipeline.write";

/// Read the chart of accounts and the journals.
pub const ACCOUNT_READ: &str = "finance.account.read";
/// Add accounts to the chart and archive them.
pub const ACCOUNT_WRITE: &str = "finance.account.write";
/// Read journal entries and their lines.
pub const ENTRY_READ: &str = "finance.entry.read";
/// Prepare manual journal entries (drafts).
pub const ENTRY_WRITE: &str = "finance.entry.write";
/// Post and reverse journal entries.
pub const ENTRY_POST: &str = "finance.entry.post";
/// Set the lock dates, and post up to the stricter lock date for non-accountants.
pub const PERIOD_LOCK: &str = "finance.period.lock";
/// Read the statements: trial balance, general ledger, profit and loss, balance sheet.
pub const REPORT_READ: &str = "finance.report.read";
/// Change the ledger's settings: fiscal year start, tax rounding policy.
pub const SETTINGS_WRITE: &str = "finance.settings.write";

/// Read customer invoices and credit notes.
pub const INVOICE_READ: &str = "billing.invoice.read";
/// Prepare invoices and credit notes (drafts) and delete drafts.
pub const INVOICE_WRITE: &str = "billing.invoice.write";
/// Post invoices and credit notes: number them and post them to the ledger.
pub const INVOICE_POST: &str = "billing.invoice.post";
/// Read customer payments and their allocations.
pub const PAYMENT_READ: &str = "billing.payment.read";
/// Record customer payments and allocate them to invoices.
pub const PAYMENT_WRITE: &str = "billing.payment.write";
/// Read receivables: aging, customer balances and statements.
pub const RECEIVABLE_READ: &str = "billing.receivable.read";

/// Read quotations.
pub const QUOTATION_READ: &str = "sales.quotation.read";
/// Prepare, send, accept, reject and delete quotations.
pub const QUOTATION_WRITE: &str = "sales.quotation.write";
/// Read sales orders.
pub const ORDER_READ: &str = "sales.order.read";
/// Prepare, confirm, deliver, cancel and close sales orders.
pub const ORDER_WRITE: &str = "sales.order.write";
/// Confirm an order that takes its customer over their credit limit.
pub const ORDER_APPROVE_OVER_LIMIT: &str = "sales.order.approve_over_limit";
/// Change the sales settings: invoicing policy, quotation validity.
pub const SALES_SETTINGS_WRITE: &str = "sales.settings.write";

/// Every permission, with what it allows: the modules' declarations (`modules::MODULES`),
/// module by module.
pub fn permissions() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::modules::permissions()
}

/// Whether `permission` is in the catalog.
pub fn is_known(permission: &str) -> bool {
    permissions().any(|(name, _)| name == permission)
}

/// A system role: seeded in every tenant, grants defined here (all with scope `ALL`).
pub struct SystemRole {
    /// Role name.
    pub name: &'static str,
    /// What the role is for.
    pub description: &'static str,
    /// Its permissions with scope `ALL`; `None` means every permission in the catalog.
    pub grants: Option<&'static [&'static str]>,
    /// Its permissions with scope `OWN` (rows the holder owns or is assigned to).
    pub own: &'static [&'static str],
}

/// The system roles. Owner and admin hold everything; the others hold what their job needs
/// of the identity module (later modules extend these lists).
pub const SYSTEM_ROLES: &[SystemRole] = &[
    SystemRole {
        name: "owner",
        description: "The account owner: every permission. At least one active owner always remains.",
        grants: None,
        own: &[],
    },
    SystemRole {
        name: "admin",
        description: "Administers the tenant: every permission.",
        grants: None,
        own: &[],
    },
    SystemRole {
        name: "manager",
        description: "Runs a team: sees users with contact details, roles, the audit log and all master data and CRM; maintains customers, suppliers and the whole CRM; reads the chart of accounts, the statements, invoices, payments and receivables; runs quotations and sales orders, confirms orders over a credit limit and keeps the sales settings.",
        grants: Some(&[
            USER_READ,
            USER_CONTACT_READ,
            ROLE_READ,
            AUDIT_READ,
            DATA_READ,
            CUSTOMER_READ,
            CUSTOMER_WRITE,
            SUPPLIER_READ,
            SUPPLIER_WRITE,
            PRODUCT_READ,
            PRODUCT_COST_READ,
            LEAD_READ,
            LEAD_WRITE,
            OPPORTUNITY_READ,
            OPPORTUNITY_WRITE,
            ACTIVITY_READ,
            ACTIVITY_WRITE,
            PIPELINE_WRITE,
            ACCOUNT_READ,
            REPORT_READ,
            INVOICE_READ,
            PAYMENT_READ,
            RECEIVABLE_READ,
            QUOTATION_READ,
            QUOTATION_WRITE,
            ORDER_READ,
            ORDER_WRITE,
            ORDER_APPROVE_OVER_LIMIT,
            SALES_SETTINGS_WRITE,
        ]),
        own: &[],
    },
    SystemRole {
        name: "sales_rep",
        description: "Sells: sees users, master data and customers, maintains customers, and works only their own leads, opportunities and activities; sees the invoices and payments of their own customers and works their quotations and sales orders.",
        grants: Some(&[
            USER_READ,
            DATA_READ,
            CUSTOMER_READ,
            CUSTOMER_WRITE,
            PRODUCT_READ,
        ]),
        own: &[
            LEAD_READ,
            LEAD_WRITE,
            OPPORTUNITY_READ,
            OPPORTUNITY_WRITE,
            ACTIVITY_READ,
            ACTIVITY_WRITE,
            INVOICE_READ,
            PAYMENT_READ,
            QUOTATION_READ,
            QUOTATION_WRITE,
            ORDER_READ,
            ORDER_WRITE,
        ],
    },
    SystemRole {
        name: "accountant",
        description: "Keeps the books: sees users and the audit log; maintains reference data, customers and suppliers; sees cost prices; keeps the chart of accounts, posts and reverses entries, locks periods and reads the statements; invoices customers, posts invoices and credit notes, records payments and reads receivables; reads sales orders to invoice them.",
        grants: Some(&[
            USER_READ,
            AUDIT_READ,
            DATA_READ,
            DATA_WRITE,
            CUSTOMER_READ,
            CUSTOMER_WRITE,
            SUPPLIER_READ,
            SUPPLIER_WRITE,
            PRODUCT_READ,
            PRODUCT_COST_READ,
            ACCOUNT_READ,
            ACCOUNT_WRITE,
            ENTRY_READ,
            ENTRY_WRITE,
            ENTRY_POST,
            PERIOD_LOCK,
            REPORT_READ,
            SETTINGS_WRITE,
            INVOICE_READ,
            INVOICE_WRITE,
            INVOICE_POST,
            PAYMENT_READ,
            PAYMENT_WRITE,
            RECEIVABLE_READ,
            ORDER_READ,
        ]),
        own: &[],
    },
    SystemRole {
        name: "warehouse",
        description: "Moves stock: sees users, reference data, suppliers and products (not their cost).",
        grants: Some(&[USER_READ, DATA_READ, SUPPLIER_READ, PRODUCT_READ]),
        own: &[],
    },
    SystemRole {
        name: "hr",
        description: "Manages people: creates and updates users, sees contact details and roles.",
        grants: Some(&[USER_READ, USER_WRITE, USER_CONTACT_READ, ROLE_READ]),
        own: &[],
    },
    SystemRole {
        name: "viewer",
        description: "Looks, changes nothing: sees users (not their contact details), roles, master data (not cost prices) and the CRM.",
        grants: Some(&[
            USER_READ,
            ROLE_READ,
            DATA_READ,
            CUSTOMER_READ,
            SUPPLIER_READ,
            PRODUCT_READ,
            LEAD_READ,
            OPPORTUNITY_READ,
            ACTIVITY_READ,
        ]),
        own: &[],
    },
];

/// The role every first admin of a tenant gets.
pub const OWNER_ROLE: &str = "owner";

impl SystemRole {
    /// The role's permissions with their scopes.
    pub fn grants(&self) -> Vec<(&'static str, super::Scope)> {
        let all: Vec<&'static str> = match self.grants {
            Some(grants) => grants.to_vec(),
            None => permissions().map(|(name, _)| name).collect(),
        };
        all.into_iter()
            .map(|p| (p, super::Scope::All))
            .chain(self.own.iter().map(|p| (*p, super::Scope::Own)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_granted_permission_is_in_the_catalog_and_names_follow_the_pattern() {
        for role in SYSTEM_ROLES {
            for (p, _) in role.grants() {
                assert!(is_known(p), "{} grants unknown {p}", role.name);
            }
        }
        for (name, description) in permissions() {
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
