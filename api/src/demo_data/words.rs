//! Word lists and regions the demo data set is drawn from.

use super::GOODS_PER_NOUN;
use entities::crm::activity::ActivityKind;

pub(super) const COMPANY_PREFIXES: &[&str] = &[
    "Northwind",
    "Bluepeak",
    "Redwood",
    "Silverline",
    "Brightwater",
    "Ironbridge",
    "Summit",
    "Oakfield",
    "Harbor",
    "Granite",
    "Crescent",
    "Evergreen",
    "Sterling",
    "Westgate",
    "Pinecrest",
    "Riverside",
    "Lakeshore",
    "Highland",
    "Clearview",
    "Maple",
];
pub(super) const LEAD_PREFIXES: &[&str] = &[
    "Acorn",
    "Beacon",
    "Cobalt",
    "Delta",
    "Falcon",
    "Juniper",
    "Keystone",
    "Lighthouse",
    "Meridian",
    "Nimbus",
    "Orchard",
    "Quartz",
    "Sapphire",
    "Tidewater",
    "Vertex",
];
pub(super) const TRADES: &[&str] = &[
    "Logistics",
    "Manufacturing",
    "Foods",
    "Engineering",
    "Retail",
    "Consulting",
    "Healthcare",
    "Energy",
    "Construction",
    "Software",
    "Textiles",
    "Printing",
];
pub(super) const FIRST_NAMES: &[&str] = &[
    "Emma", "Liam", "Sophia", "James", "Ava", "Lucas", "Chloe", "Daniel", "Hannah", "Felix",
    "Grace", "Oscar", "Isla", "Leon", "Julia", "Marco", "Nora", "Samuel", "Elena", "Tom", "Zoe",
    "Adam", "Laura", "Ethan",
];
pub(super) const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Miller", "Garcia", "Brown", "Davis", "Wilson", "Taylor", "Anderson",
    "Thomas", "Moore", "Martin", "Schmidt", "Weber", "Dubois", "Rossi", "Jansen", "Novak",
    "Clarke", "Evans", "Hughes", "Lopez", "Fischer", "Bauer",
];
pub(super) const JOB_TITLES: &[&str] = &[
    "Purchasing Manager",
    "Operations Director",
    "Chief Financial Officer",
    "Office Manager",
    "Head of IT",
    "Procurement Lead",
    "Managing Director",
    "Facilities Manager",
    "Accounts Payable Clerk",
];
pub(super) const STREETS: &[&str] = &[
    "Main Street",
    "Market Street",
    "Station Road",
    "Harbour Way",
    "Park Avenue",
    "Mill Lane",
    "King Street",
    "Church Road",
];

/// Where a customer is: its currency, legal-form suffixes, cities, phone prefix and tax-id
/// prefix.
pub(super) struct Region {
    pub(super) currency: &'static str,
    pub(super) suffixes: &'static [&'static str],
    pub(super) cities: &'static [&'static str],
    pub(super) phone: &'static str,
    pub(super) tax_prefix: &'static str,
}

pub(super) static REGIONS: [Region; 3] = [
    Region {
        currency: "USD",
        suffixes: &["Inc.", "LLC", "Corp."],
        cities: &[
            "Chicago, IL",
            "Denver, CO",
            "Austin, TX",
            "Seattle, WA",
            "Boston, MA",
        ],
        phone: "+1 555",
        tax_prefix: "US",
    },
    Region {
        currency: "EUR",
        suffixes: &["GmbH", "SA", "BV"],
        cities: &["Berlin", "Munich", "Paris", "Lyon", "Amsterdam", "Madrid"],
        phone: "+49 30",
        tax_prefix: "DE",
    },
    Region {
        currency: "GBP",
        suffixes: &["Ltd", "plc"],
        cities: &["London", "Manchester", "Leeds", "Bristol", "Edinburgh"],
        phone: "+44 20",
        tax_prefix: "GB",
    },
];

/// Goods: name, unit, standard sale price in cents.
pub(super) const GOODS: &[(&str, &str, i64)] = &[
    ("Steel Bracket", "ea", 450),
    ("Copper Cable", "m", 320),
    ("Packing Tape", "pack", 899),
    ("Printer Paper", "box", 2_950),
    ("Industrial Cleaner", "l", 1_275),
    ("Safety Gloves", "pack", 1_450),
    ("Coffee Beans", "kg", 2_400),
    ("LED Panel", "ea", 8_900),
    ("Office Chair", "ea", 24_900),
    ("Laptop Stand", "ea", 4_990),
];
/// Variants of each good: name and price in percent of the standard price.
pub(super) const VARIANTS: [(&str, i64); GOODS_PER_NOUN] = [
    ("Economy", 80),
    ("Standard", 100),
    ("Premium", 140),
    ("Pro", 185),
];
/// Services: name, unit, sale price in cents.
pub(super) const SERVICES: &[(&str, &str, i64)] = &[
    ("Installation", "h", 9_500),
    ("On-site Support", "h", 12_000),
    ("Maintenance Visit", "ea", 25_000),
    ("Training Session", "h", 15_000),
    ("Consulting", "h", 18_500),
    ("Remote Support", "h", 7_500),
    ("Project Management", "h", 14_000),
    ("Data Migration", "ea", 120_000),
    ("Equipment Calibration", "ea", 32_000),
    ("Extended Warranty", "ea", 19_900),
];

pub(super) const LEAD_SOURCES: &[&str] = &[
    "Website",
    "Referral",
    "Trade show",
    "Cold call",
    "LinkedIn",
    "Partner",
    "Webinar",
    "Newsletter",
];
pub(super) const LEAD_TOPICS: &[&str] = &[
    "Quote request",
    "Bulk pricing",
    "Interested in",
    "Annual contract",
    "Trial of",
];
pub(super) const DISQUALIFY_REASONS: &[&str] = &[
    "No budget this year",
    "Went with a competitor",
    "Not a fit for our products",
    "No response after three attempts",
    "Student project, no purchase intent",
];
pub(super) const DEAL_KINDS: &[&str] =
    &["order", "annual contract", "pilot", "expansion", "renewal"];
pub(super) const LOST_REASONS: &[&str] = &[
    "Price too high",
    "Chose a competitor",
    "Project cancelled",
    "Budget frozen",
    "Delivery time too long",
];
/// Activity kinds with their subjects.
pub(super) const ACTIVITIES: &[(ActivityKind, &[&str])] = &[
    (
        ActivityKind::Call,
        &[
            "Intro call",
            "Follow-up call",
            "Pricing call",
            "Check-in call",
        ],
    ),
    (
        ActivityKind::Meeting,
        &[
            "Discovery meeting",
            "Product demo",
            "Site visit",
            "Contract review",
        ],
    ),
    (
        ActivityKind::Task,
        &[
            "Send proposal",
            "Prepare quote",
            "Send contract draft",
            "Update pricing sheet",
        ],
    ),
    (
        ActivityKind::Note,
        &[
            "Budget confirmed",
            "Decision maker identified",
            "Competitor in the running",
            "Asked for references",
        ],
    ),
];
pub(super) const ACTIVITY_NOTES: &[&str] = &[
    "Wants a volume discount above 100 units.",
    "Prefers delivery in two batches.",
    "Legal needs to review the terms first.",
    "Call back after the quarterly board meeting.",
];
