//! What reaches each covered GraphQL type: the tables the sweeps run, checked against the
//! exported schema so that a new field returning a covered type cannot go unchecked.

/// A field of the schema that returns a resource's type, read from rows the caller sees.
/// `SEL` in `doc` stands for the selection on the reached type.
pub(super) struct Path {
    pub(super) at: &'static str,
    pub(super) doc: &'static str,
    /// Read permissions the seeing caller needs at scope `ALL`, besides the resource's own,
    /// to reach the row through this path.
    pub(super) widen: &'static [&'static str],
}

/// Every way to read a GraphQL type: by id, the list, and each field returning it.
pub(super) struct Reach {
    pub(super) type_name: &'static str,
    pub(super) resource: &'static str,
    pub(super) by_id: &'static str,
    pub(super) list: &'static str,
    pub(super) paths: &'static [Path],
}

pub(super) const fn path(
    at: &'static str,
    doc: &'static str,
    widen: &'static [&'static str],
) -> Path {
    Path { at, doc, widen }
}

pub(super) const REACH: &[Reach] = &[
    Reach {
        type_name: "User",
        resource: "user",
        by_id: "user",
        list: "users",
        paths: &[
            path(
                "Activity.assignee",
                "{ activities(first: 100) { nodes { assignee { SEL } } } }",
                &["crm.activity.read"],
            ),
            path(
                "Activity.owner",
                "{ activities(first: 100) { nodes { owner { SEL } } } }",
                &["crm.activity.read"],
            ),
            path(
                "Customer.owner",
                "{ customers(first: 100) { nodes { owner { SEL } } } }",
                &["master.customer.read"],
            ),
            path(
                "Supplier.owner",
                "{ suppliers(first: 100) { nodes { owner { SEL } } } }",
                &["master.supplier.read"],
            ),
            path(
                "Lead.owner",
                "{ leads(first: 100) { nodes { owner { SEL } } } }",
                &["crm.lead.read"],
            ),
            path(
                "Opportunity.owner",
                "{ opportunities(first: 100) { nodes { owner { SEL } } } }",
                &["crm.opportunity.read"],
            ),
            path(
                "ForecastOwnerLine.owner",
                "{ pipelineForecast { byOwner { owner { SEL } } } }",
                &["crm.opportunity.read"],
            ),
        ],
    },
    Reach {
        type_name: "Customer",
        resource: "customer",
        by_id: "customer",
        list: "customers",
        paths: &[
            path(
                "Activity.customer",
                "{ activities(first: 100) { nodes { customer { SEL } } } }",
                &[],
            ),
            path(
                "Contact.customer",
                "{ contacts(first: 100) { nodes { id customer { SEL } } } }",
                &[],
            ),
            path(
                "Lead.customer",
                "{ leads(first: 100) { nodes { customer { SEL } } } }",
                &[],
            ),
            path(
                "Opportunity.customer",
                "{ opportunities(first: 100) { nodes { customer { SEL } } } }",
                &[],
            ),
            path(
                "JournalLine.customer",
                "{ journalEntries(first: 20) { nodes { lines(first: 20) { nodes { customer { SEL } } } } } }",
                &["finance.entry.read"],
            ),
            path(
                "Invoice.customer",
                "{ invoices(first: 100) { nodes { customer { SEL } } } }",
                &["billing.invoice.read"],
            ),
            path(
                "Payment.customer",
                "{ payments(first: 100) { nodes { customer { SEL } } } }",
                &["billing.payment.read"],
            ),
            path(
                "Quotation.customer",
                "{ quotations(first: 100) { nodes { customer { SEL } } } }",
                &["sales.quotation.read"],
            ),
            path(
                "SalesOrder.customer",
                "{ salesOrders(first: 100) { nodes { customer { SEL } } } }",
                &["sales.order.read"],
            ),
            path(
                "CustomerStatement.customer",
                "query($id: ID!) { customerStatement(customerId: $id, from: \"2026-01-01\", to: \"2026-12-31\") { customer { SEL } } }",
                &["billing.receivable.read"],
            ),
            path(
                "CustomerAging.customer",
                "{ receivablesAging(asOf: \"2026-12-31\") { customers { customer { SEL } } } }",
                &["billing.receivable.read"],
            ),
            path(
                "ConvertLeadPayload.possibleDuplicates",
                "mutation($new: ID!) { createLead(input: { id: $new, title: \"Twin\", contactName: \"Twin\", email: \"buyer@b.test\" }) { id } convertLead(id: $new) { possibleDuplicates { SEL } } }",
                &[],
            ),
        ],
    },
    Reach {
        type_name: "Supplier",
        resource: "supplier",
        by_id: "supplier",
        list: "suppliers",
        paths: &[path(
            "JournalLine.supplier",
            "{ journalEntries(first: 20) { nodes { lines(first: 20) { nodes { supplier { SEL } } } } } }",
            &["finance.entry.read"],
        )],
    },
    Reach {
        type_name: "Lead",
        resource: "lead",
        by_id: "lead",
        list: "leads",
        paths: &[path(
            "Activity.lead",
            "{ activities(first: 100) { nodes { lead { SEL } } } }",
            &[],
        )],
    },
    Reach {
        type_name: "Opportunity",
        resource: "opportunity",
        by_id: "opportunity",
        list: "opportunities",
        paths: &[
            path(
                "Activity.opportunity",
                "{ activities(first: 100) { nodes { opportunity { SEL } } } }",
                &[],
            ),
            path(
                "Customer.opportunities",
                "{ customers(first: 20) { nodes { opportunities(first: 20) { totalCount nodes { SEL } } } } }",
                &[],
            ),
            path(
                "Lead.opportunity",
                "{ leads(first: 100) { nodes { opportunity { SEL } } } }",
                &[],
            ),
            path(
                "Quotation.opportunity",
                "{ quotations(first: 100) { nodes { opportunity { SEL } } } }",
                &["sales.quotation.read"],
            ),
        ],
    },
    Reach {
        type_name: "Activity",
        resource: "activity",
        by_id: "",
        list: "activities",
        paths: &[path(
            "Opportunity.activities",
            "{ opportunities(first: 20) { nodes { activities(first: 20) { totalCount nodes { SEL } } } } }",
            &[],
        )],
    },
    Reach {
        type_name: "Product",
        resource: "product",
        by_id: "product",
        list: "products",
        paths: &[
            path(
                "InvoiceLine.product",
                "{ invoices(first: 20) { nodes { lines(first: 5) { nodes { product { SEL } } } } } }",
                &["billing.invoice.read"],
            ),
            path(
                "QuotationLine.product",
                "{ quotations(first: 20) { nodes { lines(first: 5) { nodes { product { SEL } } } } } }",
                &["sales.quotation.read"],
            ),
            path(
                "SalesOrderLine.product",
                "{ salesOrders(first: 20) { nodes { lines(first: 5) { nodes { product { SEL } } } } } }",
                &["sales.order.read"],
            ),
        ],
    },
    Reach {
        type_name: "Invoice",
        resource: "invoice",
        by_id: "invoice",
        list: "invoices",
        paths: &[
            path(
                "Invoice.creditedInvoice",
                "{ invoices(first: 100) { nodes { creditedInvoice { SEL } } } }",
                &[],
            ),
            path(
                "PaymentAllocation.invoice",
                "{ payments(first: 20) { nodes { allocations(first: 5) { nodes { invoice { SEL } } } } } }",
                &["billing.payment.read"],
            ),
        ],
    },
    Reach {
        type_name: "Payment",
        resource: "payment",
        by_id: "payment",
        list: "payments",
        paths: &[path(
            "PaymentAllocation.payment",
            "{ invoices(first: 20) { nodes { payments(first: 5) { nodes { payment { SEL } } } } } }",
            &["billing.invoice.read"],
        )],
    },
    Reach {
        type_name: "Quotation",
        resource: "quotation",
        by_id: "quotation",
        list: "quotations",
        paths: &[],
    },
    Reach {
        type_name: "SalesOrder",
        resource: "sales_order",
        by_id: "salesOrder",
        list: "salesOrders",
        paths: &[path(
            "Quotation.salesOrder",
            "{ quotations(first: 100) { nodes { salesOrder { SEL } } } }",
            &["sales.quotation.read"],
        )],
    },
];

/// Fields returning a covered type that need no path of their own, and why.
pub(super) const EXEMPT: &[(&str, &str)] = &[
    ("Me.user", "the caller's own account"),
    ("AuthPayload.user", "the account that has just signed in"),
    (
        "ConvertLeadPayload.lead",
        "the caller's own lead, just converted",
    ),
    (
        "ConvertLeadPayload.customer",
        "the customer the caller's conversion has just created",
    ),
    (
        "ConvertLeadPayload.opportunity",
        "the opportunity the caller's conversion has just created",
    ),
];

/// Sensitive fields: (resource, column, GraphQL field on the resource's type).
pub(super) const SENSITIVE: &[(&str, &str, &str)] = &[
    ("user", "email", "email"),
    ("user", "phone", "phone"),
    ("product", "cost_price_micros", "costPrice"),
];

/// Every field of every object type in the schema: (`Type.field`, the type it returns, with
/// lists, non-null marks and a `Connection` suffix taken off).
pub(super) fn schema_fields() -> Vec<(String, String, String)> {
    let sdl = api::graphql::sdl();
    let mut out = Vec::new();
    let mut owner: Option<String> = None;
    let mut field: Option<String> = None;
    let (mut depth, mut in_description) = (0i32, false);
    for line in sdl.lines() {
        let t = line.trim();
        if t.starts_with("\"\"\"") {
            if !(t.len() > 3 && t.ends_with("\"\"\"")) {
                in_description = !in_description;
            }
            continue;
        }
        if in_description || t.starts_with('"') || t.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("type ") {
            owner = Some(rest.split([' ', '{']).next().unwrap().to_owned());
            continue;
        }
        if line.starts_with('}') {
            owner = None;
            continue;
        }
        let Some(owner) = &owner else { continue };
        if depth == 0 && line.starts_with('\t') && !line.starts_with("\t\t") {
            field = Some(t.chars().take_while(|c| c.is_alphanumeric()).collect());
        }
        depth += t.matches('(').count() as i32 - t.matches(')').count() as i32;
        if depth == 0
            && let Some(name) = field.take()
        {
            let ty = t.rsplit(": ").next().unwrap();
            let base: String = ty
                .trim_start_matches('[')
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            let connection = base.ends_with("Connection");
            let base = base.trim_end_matches("Connection").to_owned();
            let kind = if connection { "connection" } else { "field" };
            out.push((format!("{owner}.{name}"), base, kind.to_owned()));
        }
    }
    out
}

/// Each field of the schema that returns `type_name`, outside the root types and the
/// connection types (root fields are a `Reach`'s `by_id` and `list`).
pub(super) fn fields_reaching(type_name: &str) -> (Vec<String>, Vec<String>) {
    let mut relations = Vec::new();
    let mut roots = Vec::new();
    for (at, base, _) in schema_fields() {
        if base != type_name {
            continue;
        }
        let owner = at.split('.').next().unwrap();
        if owner == "MutationRoot" || owner.ends_with("Connection") || owner.ends_with("Edge") {
            continue;
        }
        if owner == "QueryRoot" {
            roots.push(at.split('.').nth(1).unwrap().to_owned());
        } else if !EXEMPT.iter().any(|(e, _)| *e == at) {
            relations.push(at);
        }
    }
    (roots, relations)
}

/// The reach of `type_name`, checked against the schema: every field that returns the type
/// has its path here.
pub(super) fn reach_of(type_name: &str) -> &'static Reach {
    let reach = REACH
        .iter()
        .find(|r| r.type_name == type_name)
        .unwrap_or_else(|| panic!("scope_sweeps.rs: no REACH entry for type `{type_name}`"));
    let (roots, relations) = fields_reaching(type_name);
    for root in &roots {
        assert!(
            root == reach.by_id || root == reach.list,
            "root field `{root}` returns `{type_name}`: make it the REACH entry's by_id or list"
        );
    }
    for at in &relations {
        assert!(
            reach.paths.iter().any(|p| p.at == at),
            "`{at}` returns `{type_name}` but has no path in scope_sweeps.rs REACH"
        );
    }
    for p in reach.paths {
        assert!(
            relations.contains(&p.at.to_owned()),
            "REACH path `{}` is no field of the schema",
            p.at
        );
    }
    reach
}

/// The GraphQL type of a resource, from the REACH table.
pub(super) fn reach_of_resource(resource: &str) -> &'static Reach {
    let reach = REACH
        .iter()
        .find(|r| r.resource == resource)
        .unwrap_or_else(|| panic!("scope_sweeps.rs: no REACH entry for resource `{resource}`"));
    reach_of(reach.type_name)
}
