//! Reference data every tenant starts with: ISO currencies with their minor digits, common
//! units of measure, and the base currency setting. Idempotent: runs at provisioning and at
//! every migration, adding only what is missing.

use chrono::Utc;
use entities::master::{currency, unit_of_measure};
use entities::platform::tenant_setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::error::AppError;

/// The setting naming the tenant's base currency (reports and the forecast use it).
pub const BASE_CURRENCY_KEY: &str = "base_currency";

const CURRENCIES: &[(&str, &str, i32)] = &[
    ("USD", "US Dollar", 2),
    ("EUR", "Euro", 2),
    ("GBP", "Pound Sterling", 2),
    ("JPY", "Yen", 0),
    ("CHF", "Swiss Franc", 2),
    ("CAD", "Canadian Dollar", 2),
    ("AUD", "Australian Dollar", 2),
    ("CNY", "Yuan Renminbi", 2),
    ("INR", "Indian Rupee", 2),
    ("SEK", "Swedish Krona", 2),
    ("NOK", "Norwegian Krone", 2),
    ("DKK", "Danish Krone", 2),
    ("PLN", "Zloty", 2),
    ("BRL", "Brazilian Real", 2),
    ("MXN", "Mexican Peso", 2),
    ("ZAR", "Rand", 2),
    ("SGD", "Singapore Dollar", 2),
    ("AED", "UAE Dirham", 2),
    ("KWD", "Kuwaiti Dinar", 3),
    ("BHD", "Bahraini Dinar", 3),
];

/// The minor digits of `code`, if it is one of the ISO currencies every tenant is seeded
/// with. They never change: a stored amount's minor units mean them (no API edits a
/// currency), so readers need not look them up in the tenant's table.
pub fn iso_minor_digits(code: &str) -> Option<u32> {
    CURRENCIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .and_then(|(_, _, digits)| u32::try_from(*digits).ok())
}

const UNITS: &[(&str, &str)] = &[
    ("ea", "Each"),
    ("kg", "Kilogram"),
    ("g", "Gram"),
    ("l", "Litre"),
    ("m", "Metre"),
    ("h", "Hour"),
    ("box", "Box"),
    ("pack", "Pack"),
];

/// Adds missing currencies, units and the base currency (USD) setting.
pub async fn seed_reference_data<C: ConnectionTrait>(db: &C) -> Result<(), AppError> {
    currency::Entity::insert_many(CURRENCIES.iter().map(|(code, name, digits)| {
        currency::ActiveModel {
            code: Set((*code).to_owned()),
            name: Set((*name).to_owned()),
            minor_digits: Set(*digits),
            is_active: Set(true),
        }
    }))
    .on_conflict(
        OnConflict::column(currency::Column::Code)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    unit_of_measure::Entity::insert_many(UNITS.iter().map(|(code, name)| {
        unit_of_measure::ActiveModel {
            code: Set((*code).to_owned()),
            name: Set((*name).to_owned()),
        }
    }))
    .on_conflict(
        OnConflict::column(unit_of_measure::Column::Code)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    tenant_setting::Entity::insert(tenant_setting::ActiveModel {
        key: Set(BASE_CURRENCY_KEY.to_owned()),
        value: Set("\"USD\"".to_owned()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(tenant_setting::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::iso_minor_digits;

    #[test]
    fn seeded_iso_currencies_have_their_minor_digits_and_others_none() {
        assert_eq!(iso_minor_digits("USD"), Some(2));
        assert_eq!(iso_minor_digits("JPY"), Some(0));
        assert_eq!(iso_minor_digits("KWD"), Some(3));
        assert_eq!(iso_minor_digits("usd"), None);
        assert_eq!(iso_minor_digits("XTS"), None);
    }
}
