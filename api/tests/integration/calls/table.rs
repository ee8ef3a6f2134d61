//! The rows: one per root field.

use super::{Call, Caller, Guard};

const fn query(field: &'static str, doc: &'static str, permission: &'static str) -> Call {
    Call {
        field,
        doc,
        guard: Guard::Permission(permission),
        caller: Caller::Admin,
        audited: false,
    }
}

const fn mutation(field: &'static str, doc: &'static str, permission: &'static str) -> Call {
    Call {
        field,
        doc,
        guard: Guard::Permission(permission),
        caller: Caller::Admin,
        audited: true,
    }
}

/// Every root field, queries first, then mutations in an order where each finds something
/// to do with the fixture's rows (the audit sweep runs them in this order).
pub const CALLS: &[Call] = &[
    Call {
        field: "me",
        doc: "{ me { user { id email displayName } roles { id name } permissions } }",
        guard: Guard::SignedIn,
        caller: Caller::Admin,
        audited: false,
    },
    Call {
        field: "notifications",
        doc: "{ notifications(first: 100) { totalCount nodes { id kind title body entity entityId createdAt readAt } } }",
        guard: Guard::SignedIn,
        caller: Caller::Changer,
        audited: false,
    },
    Call {
        field: "unreadNotificationCount",
        doc: "{ unreadNotificationCount }",
        guard: Guard::SignedIn,
        caller: Caller::Changer,
        audited: false,
    },
    query(
        "users",
        "{ users(first: 100) { totalCount nodes { id email phone displayName } } }",
        "identity.user.read",
    ),
    query(
        "user",
        "query($user: ID!) { user(id: $user) { id email displayName roles { name } } }",
        "identity.user.read",
    ),
    query(
        "roles",
        "{ roles(first: 100) { totalCount nodes { id name description } } }",
        "identity.role.read",
    ),
    query(
        "role",
        "query($role: ID!) { role(id: $role) { id name grants { permission } } }",
        "identity.role.read",
    ),
    query(
        "permissions",
        "{ permissions { name } }",
        "identity.role.read",
    ),
    query(
        "apiKeys",
        "{ apiKeys(first: 100) { totalCount nodes { id name } } }",
        "identity.api_key.read",
    ),
    query(
        "auditLog",
        "query($user: ID!) { auditLog(first: 100) { nodes { entityId changes } } filtered: auditLog(filter: { entityId: $user }) { totalCount } }",
        "identity.audit.read",
    ),
    query(
        "jobs",
        "{ jobs(first: 100) { totalCount nodes { id kind status runAt attempts maxAttempts lockedUntil lastError createdAt updatedAt } } queued: jobs(filter: { status: [QUEUED, RUNNING], kind: \"activity.reminders\" }) { totalCount } }",
        "identity.job.read",
    ),
    query(
        "currencies",
        "{ currencies { code name } }",
        "master.data.read",
    ),
    query(
        "exchangeRates",
        "{ exchangeRates(currency: \"EUR\") { totalCount nodes { rate } } }",
        "master.data.read",
    ),
    query("units", "{ units { code name } }", "master.data.read"),
    query(
        "taxRates",
        "{ taxRates { totalCount nodes { id code name } } }",
        "master.data.read",
    ),
    query(
        "paymentTerms",
        "{ paymentTerms { totalCount nodes { id code name } } }",
        "master.data.read",
    ),
    query(
        "productCategories",
        "{ productCategories { totalCount nodes { id name } } }",
        "master.data.read",
    ),
    query(
        "warehouses",
        "{ warehouses { totalCount nodes { id code name } } }",
        "master.data.read",
    ),
    query(
        "customers",
        "{ customers(first: 100) { totalCount nodes { id name email } } }",
        "master.customer.read",
    ),
    query(
        "customer",
        "query($customer: ID!) { customer(id: $customer) { id name email } }",
        "master.customer.read",
    ),
    query(
        "contacts",
        "query($customer: ID!) { contacts(first: 100) { totalCount nodes { id name } } filtered: contacts(customerId: $customer) { totalCount } }",
        "master.customer.read",
    ),
    query(
        "suppliers",
        "{ suppliers(first: 100) { totalCount nodes { id name } } }",
        "master.supplier.read",
    ),
    query(
        "supplier",
        "query($supplier: ID!) { supplier(id: $supplier) { id name } }",
        "master.supplier.read",
    ),
    query(
        "products",
        "{ products(first: 100) { totalCount nodes { id sku name } } }",
        "master.product.read",
    ),
    query(
        "product",
        "query($product: ID!) { product(id: $product) { id sku name } }",
        "master.product.read",
    ),
    query(
        "pipelineStages",
        "{ pipelineStages { id name } }",
        "crm.opportunity.read",
    ),
    query(
        "pipelineForecast",
        "{ pipelineForecast { total { count amount { amount } } } }",
        "crm.opportunity.read",
    ),
    query(
        "leads",
        "{ leads(first: 100) { totalCount nodes { id title contactName email } } }",
        "crm.lead.read",
    ),
    query(
        "lead",
        "query($lead: ID!) { lead(id: $lead) { id title } }",
        "crm.lead.read",
    ),
    query(
        "opportunities",
        "{ opportunities(first: 100) { totalCount nodes { id title } } }",
        "crm.opportunity.read",
    ),
    query(
        "opportunity",
        "query($opportunity: ID!) { opportunity(id: $opportunity) { id title } }",
        "crm.opportunity.read",
    ),
    query(
        "activities",
        "{ activities(first: 100) { totalCount nodes { id subject } } }",
        "crm.activity.read",
    ),
    query(
        "accounts",
        "{ accounts(first: 100) { totalCount nodes { id code name kind isGroup parent { code } } } }",
        "finance.account.read",
    ),
    query(
        "account",
        "query($account: ID!) { account(id: $account) { id code name } }",
        "finance.account.read",
    ),
    query(
        "journals",
        "{ journals(first: 100) { totalCount nodes { id code name kind } } }",
        "finance.account.read",
    ),
    query(
        "ledgerSettings",
        "{ ledgerSettings { fiscalYearStartMonth lockDate userLockDate version } }",
        "finance.account.read",
    ),
    query(
        "journalEntries",
        "{ journalEntries(first: 20) { totalCount nodes { id number memo total { amount } lines(first: 10) { nodes { account { name } debit { amount } credit { amount } } } } } }",
        "finance.entry.read",
    ),
    query(
        "journalEntry",
        "query($entry: ID!) { journalEntry(id: $entry) { id number memo } }",
        "finance.entry.read",
    ),
    query(
        "trialBalance",
        "{ trialBalance(asOf: \"2026-12-31\") { lines { account { code name } debit { amount } credit { amount } } totalDebit { amount } totalCredit { amount } } }",
        "finance.report.read",
    ),
    query(
        "generalLedger",
        "query($account: ID!) { generalLedger(accountId: $account, from: \"2026-01-01\", to: \"2026-12-31\") { account { name } openingBalance { amount } lines { number label balance { amount } } closingBalance { amount } } }",
        "finance.report.read",
    ),
    query(
        "profitAndLoss",
        "{ profitAndLoss(from: \"2026-01-01\", to: \"2026-12-31\") { income { account { name } amount { amount } } expenses { account { name } amount { amount } } netProfit { amount } } }",
        "finance.report.read",
    ),
    query(
        "balanceSheet",
        "{ balanceSheet(asOf: \"2026-12-31\") { assets { account { name } amount { amount } } totalAssets { amount } totalLiabilities { amount } totalEquity { amount } } }",
        "finance.report.read",
    ),
    query(
        "invoices",
        "{ invoices(first: 20) { totalCount nodes { id number memo status total { amount } customer { name } lines(first: 5) { nodes { description netMinor } } taxes(first: 5) { nodes { code } } payments(first: 5) { nodes { amountMinor } } } } }",
        "billing.invoice.read",
    ),
    query(
        "invoice",
        "query($invoice: ID!) { invoice(id: $invoice) { id number memo } }",
        "billing.invoice.read",
    ),
    query(
        "payments",
        "{ payments(first: 100) { totalCount nodes { id number memo amount { amount } allocations(first: 10) { nodes { amountMinor } } } } }",
        "billing.payment.read",
    ),
    query(
        "payment",
        "query($payment: ID!) { payment(id: $payment) { id number memo } }",
        "billing.payment.read",
    ),
    query(
        "receivablesAging",
        "{ receivablesAging(asOf: \"2026-12-31\") { customers { customer { name } balance { amount } } total { balance { amount } } } }",
        "billing.receivable.read",
    ),
    query(
        "customerStatement",
        "query($customer: ID!) { customerStatement(customerId: $customer, from: \"2026-01-01\", to: \"2026-12-31\") { customer { name } openingBalance { amount } lines { number reference debit { amount } credit { amount } balance { amount } } closingBalance { amount } } }",
        "billing.receivable.read",
    ),
    query(
        "quotations",
        "{ quotations(first: 20) { totalCount nodes { id number memo status total { amount } customer { name } opportunity { id } salesOrder { id } lines(first: 5) { nodes { description netMinor product { id } } } } } }",
        "sales.quotation.read",
    ),
    query(
        "quotation",
        "query($quotation: ID!) { quotation(id: $quotation) { id number memo } }",
        "sales.quotation.read",
    ),
    query(
        "salesOrders",
        "{ salesOrders(first: 20) { totalCount nodes { id number memo status total { amount } invoiced { amount } customer { name } lines(first: 5) { nodes { description quantity delivered invoiced product { id } } } } } }",
        "sales.order.read",
    ),
    query(
        "salesOrder",
        "query($order: ID!) { salesOrder(id: $order) { id number memo } }",
        "sales.order.read",
    ),
    query(
        "salesSettings",
        "{ salesSettings { invoicePolicy quotationValidityDays version } }",
        "sales.order.read",
    ),
    query(
        "computeTaxes",
        "{ computeTaxes(input: { date: \"2026-05-01\", currency: \"USD\", lines: [{ quantity: \"2\", unitPrice: \"9.99\" }] }) { net { amount } tax { amount } total { amount } } }",
        "master.data.read",
    ),
    Call {
        field: "login",
        doc: "mutation($tenant: String!, $email: String!, $password: String!) { login(input: { tenant: $tenant, email: $email, password: $password }) { accessToken } }",
        guard: Guard::Public,
        caller: Caller::Anonymous,
        audited: true,
    },
    Call {
        field: "refreshSession",
        doc: "mutation($refresh: String!) { refreshSession(refreshToken: $refresh) { accessToken } }",
        guard: Guard::Public,
        caller: Caller::Anonymous,
        audited: true,
    },
    mutation(
        "updateUser",
        "mutation($user: ID!) { updateUser(id: $user, input: { displayName: \"Renamed\", expectedVersion: 1 }) { id displayName } }",
        "identity.user.write",
    ),
    mutation(
        "deactivateUser",
        "mutation($user: ID!) { deactivateUser(id: $user) { id } }",
        "identity.user.write",
    ),
    mutation(
        "reactivateUser",
        "mutation($user: ID!) { reactivateUser(id: $user) { id } }",
        "identity.user.write",
    ),
    mutation(
        "createRole",
        "mutation { createRole(input: { name: \"another\", grants: [{ permission: \"identity.user.read\" }] }) { id } }",
        "identity.role.write",
    ),
    mutation(
        "updateRole",
        "mutation($role: ID!) { updateRole(id: $role, input: { description: \"changed\", expectedVersion: 1 }) { id name } }",
        "identity.role.write",
    ),
    mutation(
        "assignRole",
        "mutation($user: ID!, $role: ID!) { assignRole(userId: $user, roleId: $role) { id } }",
        "identity.role.assign",
    ),
    mutation(
        "unassignRole",
        "mutation($user: ID!, $role: ID!) { unassignRole(userId: $user, roleId: $role) { id } }",
        "identity.role.assign",
    ),
    mutation(
        "deleteRole",
        "mutation($role: ID!) { deleteRole(id: $role) }",
        "identity.role.write",
    ),
    mutation(
        "createApiKey",
        "mutation($viewerRole: ID!) { createApiKey(input: { name: \"k2\", roleId: $viewerRole }) { secret } }",
        "identity.api_key.write",
    ),
    mutation(
        "revokeApiKey",
        "mutation($apiKey: ID!) { revokeApiKey(id: $apiKey) { id name } }",
        "identity.api_key.write",
    ),
    // A notification's read mark is the recipient's own inbox, not business data: not audited.
    Call {
        field: "markNotificationRead",
        doc: "mutation($notification: ID!) { markNotificationRead(id: $notification) { id readAt title } }",
        guard: Guard::SignedIn,
        caller: Caller::Changer,
        audited: false,
    },
    Call {
        field: "markAllNotificationsRead",
        doc: "mutation { markAllNotificationsRead }",
        guard: Guard::SignedIn,
        caller: Caller::Changer,
        audited: false,
    },
    Call {
        field: "changePassword",
        doc: "mutation($changerPassword: String!) { changePassword(input: { currentPassword: $changerPassword, newPassword: \"another long secret\" }) }",
        guard: Guard::SignedIn,
        caller: Caller::Changer,
        audited: true,
    },
    mutation(
        "setExchangeRate",
        "mutation { setExchangeRate(input: { currency: \"EUR\", rate: \"1.1\", validFrom: \"2026-01-01\" }) { id } }",
        "master.data.write",
    ),
    mutation(
        "createTaxRate",
        "mutation { createTaxRate(input: { code: \"VAT20\", name: \"VAT\", rate: \"20\", validFrom: \"2026-01-01\" }) { id } }",
        "master.data.write",
    ),
    mutation(
        "createCustomer",
        "mutation { createCustomer(input: { name: \"New Co\", currency: \"USD\" }) { id } }",
        "master.customer.write",
    ),
    mutation(
        "updateCustomer",
        "mutation($customer: ID!) { updateCustomer(id: $customer, input: { name: \"Renamed Co\", expectedVersion: 1 }) { id name } }",
        "master.customer.write",
    ),
    mutation(
        "createContact",
        "mutation($customer: ID!) { createContact(input: { customerId: $customer, name: \"Sam\" }) { id customer { name } } }",
        "master.customer.write",
    ),
    mutation(
        "updateContact",
        "mutation($contact: ID!) { updateContact(id: $contact, input: { name: \"Pat Q\", expectedVersion: 1 }) { id name } }",
        "master.customer.write",
    ),
    mutation(
        "archiveCustomer",
        "mutation($customer: ID!) { archiveCustomer(id: $customer) { id name } }",
        "master.customer.write",
    ),
    mutation(
        "createProduct",
        "mutation { createProduct(input: { sku: \"NEW-1\", name: \"New\", kind: SERVICE, unit: \"h\", currency: \"USD\", salePrice: \"90\" }) { id } }",
        "master.product.write",
    ),
    mutation(
        "updateProduct",
        "mutation($product: ID!) { updateProduct(id: $product, input: { name: \"Renamed product\", expectedVersion: 1 }) { id name } }",
        "master.product.write",
    ),
    mutation(
        "archiveProduct",
        "mutation($product: ID!) { archiveProduct(id: $product) { id name } }",
        "master.product.write",
    ),
    mutation(
        "createPipelineStage",
        "mutation { createPipelineStage(input: { name: \"Closing\", position: 5, probability: \"0.9\" }) { id } }",
        "crm.pipeline.write",
    ),
    mutation(
        "createLead",
        "mutation { createLead(input: { title: \"New lead\", contactName: \"Nia\" }) { id } }",
        "crm.lead.write",
    ),
    mutation(
        "updateLead",
        "mutation($lead: ID!) { updateLead(id: $lead, input: { phone: \"+1 555 0100\", expectedVersion: 1 }) { id title } }",
        "crm.lead.write",
    ),
    mutation(
        "contactLead",
        "mutation($lead: ID!) { contactLead(id: $lead) { id title } }",
        "crm.lead.write",
    ),
    mutation(
        "qualifyLead",
        "mutation($lead: ID!) { qualifyLead(id: $lead) { id title } }",
        "crm.lead.write",
    ),
    mutation(
        "convertLead",
        "mutation($lead: ID!) { convertLead(id: $lead) { lead { id title } } }",
        "crm.lead.write",
    ),
    mutation(
        "disqualifyLead",
        "mutation($lead2: ID!) { disqualifyLead(id: $lead2, reason: \"no budget\") { id title } }",
        "crm.lead.write",
    ),
    mutation(
        "createOpportunity",
        "mutation($customer: ID!) { createOpportunity(input: { title: \"More\", customerId: $customer, amount: { amount: \"5\", currency: \"USD\" } }) { id customer { name } } }",
        "crm.opportunity.write",
    ),
    mutation(
        "updateOpportunity",
        "mutation($opportunity: ID!) { updateOpportunity(id: $opportunity, input: { title: \"Deal 2\", expectedVersion: 1 }) { id title } }",
        "crm.opportunity.write",
    ),
    mutation(
        "winOpportunity",
        "mutation($opportunity: ID!) { winOpportunity(id: $opportunity) { id title } }",
        "crm.opportunity.write",
    ),
    mutation(
        "loseOpportunity",
        "mutation($opportunity2: ID!) { loseOpportunity(id: $opportunity2, reason: \"price\") { id title } }",
        "crm.opportunity.write",
    ),
    mutation(
        "archiveOpportunity",
        "mutation($opportunity2: ID!) { archiveOpportunity(id: $opportunity2) { id title isActive } }",
        "crm.opportunity.write",
    ),
    mutation(
        "createActivity",
        "mutation($opportunity: ID!) { createActivity(input: { kind: NOTE, subject: \"Noted\", opportunityId: $opportunity }) { id } }",
        "crm.activity.write",
    ),
    mutation(
        "completeActivity",
        "mutation($activity: ID!) { completeActivity(id: $activity) { id subject } }",
        "crm.activity.write",
    ),
    mutation(
        "createPaymentTerm",
        "mutation { createPaymentTerm(input: { code: \"NET30\", name: \"Net 30\", dueDays: 30 }) { id } }",
        "master.data.write",
    ),
    mutation(
        "createProductCategory",
        "mutation { createProductCategory(input: { name: \"Tools\" }) { id } }",
        "master.data.write",
    ),
    mutation(
        "createWarehouse",
        "mutation { createWarehouse(input: { code: \"MAIN\", name: \"Main\" }) { id } }",
        "master.data.write",
    ),
    mutation(
        "createSupplier",
        "mutation { createSupplier(input: { name: \"Bolts Ltd\", currency: \"EUR\" }) { id } }",
        "master.supplier.write",
    ),
    mutation(
        "updateSupplier",
        "mutation($supplier: ID!) { updateSupplier(id: $supplier, input: { name: \"Parts Inc 2\", expectedVersion: 1 }) { id name } }",
        "master.supplier.write",
    ),
    mutation(
        "archiveSupplier",
        "mutation($supplier: ID!) { archiveSupplier(id: $supplier) { id name } }",
        "master.supplier.write",
    ),
    mutation(
        "createAccount",
        "mutation { createAccount(input: { code: \"7100\", name: \"Travel\", kind: EXPENSE }) { id code } }",
        "finance.account.write",
    ),
    mutation(
        "createJournalEntry",
        "mutation($account: ID!, $account2: ID!) { createJournalEntry(input: { date: \"2026-04-01\", memo: \"More\", lines: [{ accountId: $account, debit: \"3\" }, { accountId: $account2, credit: \"3\" }] }) { id memo } }",
        "finance.entry.write",
    ),
    mutation(
        "deleteJournalEntry",
        "mutation($draft2: ID!) { deleteJournalEntry(id: $draft2) { id memo } }",
        "finance.entry.write",
    ),
    mutation(
        "postJournalEntry",
        "mutation($draft: ID!) { postJournalEntry(id: $draft) { id number memo } }",
        "finance.entry.post",
    ),
    mutation(
        "reverseJournalEntry",
        "mutation($entry: ID!) { reverseJournalEntry(id: $entry) { id number memo reversalOf { id memo } } }",
        "finance.entry.post",
    ),
    mutation(
        "updateLedgerSettings",
        "mutation { updateLedgerSettings(input: { taxRounding: PER_DOCUMENT, expectedVersion: 1 }) { taxRounding roundingMode cashIncrement { amount } version } }",
        "finance.settings.write",
    ),
    mutation(
        "lockPeriod",
        "mutation { lockPeriod(input: { lockDate: \"2001-12-31\" }) { lockDate } }",
        "finance.period.lock",
    ),
    mutation(
        "createInvoice",
        "mutation($customer: ID!) { createInvoice(input: { customerId: $customer, date: \"2026-04-01\", memo: \"More\", lines: [{ description: \"More work\", quantity: \"2\", unitPrice: \"5\" }] }) { id memo } }",
        "billing.invoice.write",
    ),
    mutation(
        "deleteInvoice",
        "mutation($invoiceDraft2: ID!) { deleteInvoice(id: $invoiceDraft2) { id memo } }",
        "billing.invoice.write",
    ),
    mutation(
        "postInvoice",
        "mutation($invoiceDraft: ID!) { postInvoice(id: $invoiceDraft) { id number memo } }",
        "billing.invoice.post",
    ),
    mutation(
        "createCreditNote",
        "mutation($invoice: ID!) { createCreditNote(input: { invoiceId: $invoice, date: \"2026-03-05\", memo: \"Refund\", lines: [{ description: \"Refund\", quantity: \"1\", unitPrice: \"1\" }] }) { id memo } }",
        "billing.invoice.write",
    ),
    mutation(
        "recordPayment",
        "mutation($customer: ID!, $invoice: ID!) { recordPayment(input: { customerId: $customer, date: \"2026-03-06\", amount: { amount: \"1\", currency: \"USD\" }, memo: \"More\", allocations: [{ invoiceId: $invoice, amount: \"1\" }] }) { id number memo } }",
        "billing.payment.write",
    ),
    mutation(
        "createQuotation",
        "mutation($customer: ID!) { createQuotation(input: { customerId: $customer, date: \"2026-04-01\", validUntil: \"2099-12-31\", memo: \"Offer\", lines: [{ description: \"Offer\", quantity: \"1\", unitPrice: \"5\" }] }) { id memo } }",
        "sales.quotation.write",
    ),
    mutation(
        "updateQuotation",
        "mutation($quotationDraft: ID!) { updateQuotation(id: $quotationDraft, input: { expectedVersion: 1, date: \"2026-03-02\" }) { id version memo } }",
        "sales.quotation.write",
    ),
    mutation(
        "sendQuotation",
        "mutation($quotationDraft: ID!) { sendQuotation(id: $quotationDraft) { id number memo } }",
        "sales.quotation.write",
    ),
    mutation(
        "deleteQuotation",
        "mutation($quotationDraft2: ID!) { deleteQuotation(id: $quotationDraft2) { id memo } }",
        "sales.quotation.write",
    ),
    mutation(
        "rejectQuotation",
        "mutation($quotation2: ID!) { rejectQuotation(id: $quotation2) { id status memo } }",
        "sales.quotation.write",
    ),
    mutation(
        "acceptQuotation",
        "mutation($quotation: ID!) { acceptQuotation(id: $quotation) { id status memo } }",
        "sales.quotation.write",
    ),
    mutation(
        "createSalesOrder",
        "mutation($customer: ID!) { createSalesOrder(input: { customerId: $customer, date: \"2026-04-01\", memo: \"More\", lines: [{ description: \"More goods\", quantity: \"1\", unitPrice: \"5\" }] }) { id memo } }",
        "sales.order.write",
    ),
    mutation(
        "updateSalesOrder",
        "mutation($orderDraft: ID!) { updateSalesOrder(id: $orderDraft, input: { expectedVersion: 1, date: \"2026-03-02\" }) { id version memo } }",
        "sales.order.write",
    ),
    mutation(
        "confirmSalesOrder",
        "mutation($orderDraft: ID!) { confirmSalesOrder(id: $orderDraft) { id number memo } }",
        "sales.order.write",
    ),
    mutation(
        "cancelSalesOrder",
        "mutation($orderDraft2: ID!) { cancelSalesOrder(id: $orderDraft2) { id status memo } }",
        "sales.order.write",
    ),
    mutation(
        "deliverSalesOrder",
        "mutation($order: ID!, $orderLine: ID!) { deliverSalesOrder(input: { orderId: $order, lines: [{ lineId: $orderLine, quantity: \"1\" }] }) { id status memo } }",
        "sales.order.write",
    ),
    mutation(
        "createInvoiceFromOrder",
        "mutation($order: ID!, $orderLine: ID!) { createInvoiceFromOrder(input: { orderId: $order, date: \"2026-04-02\", memo: \"From order\", lines: [{ orderLineId: $orderLine, quantity: \"1\" }] }) { id memo } }",
        "billing.invoice.write",
    ),
    mutation(
        "closeSalesOrder",
        "mutation($order: ID!) { closeSalesOrder(id: $order) { id status memo } }",
        "sales.order.write",
    ),
    mutation(
        "updateSalesSettings",
        "mutation { updateSalesSettings(input: { invoicePolicy: DELIVERED, quotationValidityDays: 14, expectedVersion: 1 }) { invoicePolicy quotationValidityDays version } }",
        "sales.settings.write",
    ),
    mutation(
        "archiveAccount",
        "mutation($account: ID!) { archiveAccount(id: $account) { id name isActive } }",
        "finance.account.write",
    ),
    Call {
        field: "logout",
        doc: "mutation { logout }",
        guard: Guard::SignedIn,
        caller: Caller::Session,
        audited: true,
    },
    // Last: it creates a user under a client-chosen id, which the isolation sweep sets to
    // another tenant's user id; later rows would then find that user.
    mutation(
        "createUser",
        "mutation($newUser: ID!) { createUser(input: { id: $newUser, email: \"third@example.test\", displayName: \"Third\", password: \"long enough pass\" }) { id } }",
        "identity.user.write",
    ),
];
