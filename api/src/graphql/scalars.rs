//! `Decimal` and `Money`: exact numbers at the API edge (API_CONVENTIONS.md, Values).
//!
//! A `Decimal` travels as a string (`"1234.50"`), never a JSON number, so no client or proxy
//! turns it into a float. Inside, values are integers: see [`crate::money`].

use async_graphql::{
    InputObject, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value,
};

use crate::error::AppError;
use crate::money::{Dec, format_fixed, format_trimmed};

/// An exact decimal number as a string, e.g. `"1234.50"`. Never a float.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal(String);

/// An exact decimal number as a string, e.g. `"1234.50"`. Never a float.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(text) => {
                Dec::parse(&text).map_err(InputValueError::custom)?;
                Ok(Self(text.trim().to_owned()))
            }
            Value::Number(_) => Err(InputValueError::custom(
                "send decimals as strings, e.g. \"1234.50\", never as JSON numbers",
            )),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

impl Decimal {
    /// A value with exactly `scale` decimals (money).
    pub fn fixed(value: impl Into<i128>, scale: u32) -> Self {
        Self(format_fixed(value, scale))
    }

    /// A value without trailing zeros (quantities, prices, rates).
    pub fn trimmed(value: i64, scale: u32) -> Self {
        Self(format_trimmed(value, scale))
    }

    /// The value as an integer at `scale`; too many decimals or too large is a `VALIDATION`
    /// error on `field`.
    pub fn to_scaled(&self, scale: u32, field: &str) -> Result<i64, AppError> {
        Dec::parse(&self.0)
            .and_then(|d| d.to_scaled(scale))
            .map_err(|e| AppError::validation(field, e))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An amount of money in a currency.
#[derive(SimpleObject, Clone, Debug)]
pub struct Money {
    /// The amount, with exactly the currency's decimals (`"1234.50"` USD, `"1500"` JPY).
    pub amount: Decimal,
    /// ISO 4217 currency code.
    pub currency: String,
}

impl Money {
    /// `minor` minor units of `currency`, which has `digits` decimals.
    pub fn new(minor: impl Into<i128>, currency: &str, digits: u32) -> Self {
        Self {
            amount: Decimal::fixed(minor, digits),
            currency: currency.to_owned(),
        }
    }
}

/// An amount of money in a currency.
#[derive(InputObject, Clone, Debug)]
pub struct MoneyInput {
    /// The amount; no more decimals than the currency has.
    pub amount: Decimal,
    /// ISO 4217 currency code of a currency the tenant has.
    pub currency: String,
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub chrono::NaiveDate);

/// A calendar date, `YYYY-MM-DD`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Self)
                .map_err(|_| {
                    InputValueError::custom(format!("`{text}` is not a date like 2026-11-21"))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}
